package org.openkcm.keystore.core.internal.crypto;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.function.UnaryOperator;
import javax.crypto.AEADBadTagException;
import org.openkcm.keystore.model.IntegrityException;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.spi.BackendHealth;
import org.openkcm.keystore.spi.BackendState;
import org.openkcm.keystore.spi.RootKeyProvider;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Root key from a local master key (file or environment), for development and tests. Wrapped form:
 * {@code u8 format (1) | 8-byte key id | 12-byte IV | AES-256-GCM(DEK) | 16-byte tag}, with the first nine
 * bytes and the caller's aad as associated data. The key id (a hash of the key) makes a wrong master key
 * fail as an integrity error naming both ids, rather than decrypting to garbage. Delayed component:
 * activated (and the key file created) only when the core's configuration selects it.
 */
@Component(service = RootKeyProvider.class, configurationPid = RootKeyConfig.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = RootKeyProvider.PROVIDER_PROPERTY + "=" + LocalRootKeyProvider.NAME)
@Designate(ocd = RootKeyConfig.class)
public final class LocalRootKeyProvider implements RootKeyProvider, AutoCloseable {
    public static final String NAME = "local";
    static final byte FORMAT = 1;
    static final int KID_BYTES = 8;
    private static final int PREFIX = 1 + KID_BYTES;
    private static final Logger LOG = LoggerFactory.getLogger(LocalRootKeyProvider.class);

    private final byte[] masterKey;
    private final byte[] kid;
    private volatile boolean closed;

    @Activate
    public LocalRootKeyProvider(RootKeyConfig config) {
        this(Path.of(config.masterKeyFile()), System::getenv);
    }

    /** @param env environment lookup (tests pass their own) */
    public LocalRootKeyProvider(Path masterKeyFile, UnaryOperator<String> env) {
        this.masterKey = MasterKeyFile.load(env.apply(MasterKeyFile.ENV), masterKeyFile);
        this.kid = keyId(masterKey);
        LOG.info("Local root key provider ready, master key id {}", HexFormat.of().formatHex(kid));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public byte[] wrap(byte[] dek, byte[] aad) throws KeystoreException {
        checkOpen();
        byte[] iv = ThreadCrypto.randomBytes(AesGcm.IV_BYTES);
        byte[] out = new byte[PREFIX + AesGcm.IV_BYTES + dek.length + AesGcm.TAG_BYTES];
        out[0] = FORMAT;
        System.arraycopy(kid, 0, out, 1, KID_BYTES);
        System.arraycopy(iv, 0, out, PREFIX, AesGcm.IV_BYTES);
        AesGcm.encrypt(masterKey, false, iv, dek, 0, dek.length, out, PREFIX + AesGcm.IV_BYTES, Arrays.copyOf(out, PREFIX), aad);
        // a close() racing this call may have zeroized the key mid-way: never hand out a wrap under zeros
        checkOpen();
        return out;
    }

    @Override
    public byte[] unwrap(byte[] wrapped, byte[] aad) throws KeystoreException {
        checkOpen();
        if (wrapped.length < PREFIX + AesGcm.IV_BYTES + AesGcm.TAG_BYTES || wrapped[0] != FORMAT) {
            throw new IntegrityException(null, NAME, "root-wrapped DEK is malformed or of an unknown format");
        }
        byte[] theirs = Arrays.copyOfRange(wrapped, 1, PREFIX);
        if (!MessageDigest.isEqual(theirs, kid)) {
            throw new IntegrityException(null, NAME, "DEK was wrapped under master key id " + HexFormat.of().formatHex(theirs)
                    + ", but this runtime holds master key id " + HexFormat.of().formatHex(kid));
        }
        byte[] iv = Arrays.copyOfRange(wrapped, PREFIX, PREFIX + AesGcm.IV_BYTES);
        int ct = PREFIX + AesGcm.IV_BYTES;
        try {
            return AesGcm.decrypt(masterKey, false, iv, wrapped, ct, wrapped.length - ct, Arrays.copyOf(wrapped, PREFIX), aad);
        } catch (AEADBadTagException e) {
            throw new IntegrityException(null, NAME, "root-wrapped DEK failed authentication (altered, or bound to another record)");
        }
    }

    /** HKDF-SHA256 of the master key with {@code label} as info: deterministic, the master key never leaves. */
    @Override
    public byte[] deriveKey(String label) throws KeystoreException {
        checkOpen();
        byte[] out = Hkdf.derive(masterKey, label);
        checkOpen();
        return out;
    }

    @Override
    public BackendHealth health() {
        return closed ? BackendHealth.of(BackendState.UNAVAILABLE, "stopped", Duration.ZERO) : BackendHealth.up(Duration.ZERO);
    }

    /** @return the master key's public identifier, hex */
    public String keyIdHex() {
        return HexFormat.of().formatHex(kid);
    }

    @Deactivate
    @Override
    public void close() {
        closed = true;
        Arrays.fill(masterKey, (byte) 0);
    }

    private void checkOpen() throws KeystoreException {
        if (closed) {
            throw new org.openkcm.keystore.model.BackendUnavailableException(NAME, "local root key provider stopped", null);
        }
    }

    /** First 8 bytes of SHA-256 over a domain label and the key: identifies, reveals nothing usable. */
    static byte[] keyId(byte[] key) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update("openkcm-keystore master key id v1\0".getBytes(StandardCharsets.US_ASCII));
            return Arrays.copyOf(sha.digest(key), KID_BYTES);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    @Override
    public String toString() {
        return "LocalRootKeyProvider[key id " + keyIdHex() + "]";
    }
}
