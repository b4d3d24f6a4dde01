package org.openkcm.keystore.pkcs11.internal;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.IntegrityException;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.spi.BackendHealth;
import org.openkcm.keystore.spi.BackendState;
import org.openkcm.keystore.spi.RootKeyProvider;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Root key in a PKCS#11 token: each L2 DEK is encrypted and decrypted inside the token by CKM_AES_GCM
 * under a sensitive, non-extractable AES-256 key, with the record's associated data bound; the key's
 * bytes never exist in the JVM. Wrapped form: {@link WrappedDek}. Rotation adds a key under the next
 * versioned label (see {@link KeyLabels}) and makes it current; older wraps name their label and keep
 * opening. Wraps of a {@code previousProvider} (e.g. {@code local}, while a runtime migrates) are
 * unwrapped through that provider. Registers its service itself (like the Transit provider) so its
 * configuration never becomes service properties.
 */
@Component(service = {}, configurationPid = Pkcs11Config.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true)
@Designate(ocd = Pkcs11Config.class)
public final class Pkcs11RootKeyProvider implements RootKeyProvider {
    public static final String NAME = "pkcs11";
    private static final Logger LOG = LoggerFactory.getLogger(Pkcs11RootKeyProvider.class);
    private static final int DEK_MAX = 64;

    private Pkcs11Settings settings;
    private TokenConnection conn;
    private Function<String, RootKeyProvider> previousLookup;
    private final SecureRandom random = newRandom();
    private volatile String current;
    private volatile boolean closed;
    private BundleContext context;
    private final List<ServiceReference<RootKeyProvider>> gotPrevious = new ArrayList<>();
    private ServiceRegistration<RootKeyProvider> registration;

    public Pkcs11RootKeyProvider() {
    }

    /** Outside OSGi (tests, benchmarks). */
    Pkcs11RootKeyProvider(Pkcs11Settings settings, UnaryOperator<String> env, Function<String, RootKeyProvider> previous) {
        configure(settings, env, previous);
        start();
    }

    @Activate
    void activate(BundleContext ctx, Pkcs11Config config, Map<String, Object> properties) {
        this.context = ctx;
        configure(Pkcs11Settings.from(config, properties), System::getenv, this::previousService);
        start();
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(RootKeyProvider.PROVIDER_PROPERTY, NAME);
        Object ranking = properties.get(Constants.SERVICE_RANKING);
        if (ranking instanceof Integer) {
            props.put(Constants.SERVICE_RANKING, ranking);
        }
        registration = ctx.registerService(RootKeyProvider.class, this, props);
    }

    private void configure(Pkcs11Settings s, UnaryOperator<String> env, Function<String, RootKeyProvider> previous) {
        this.settings = s;
        this.conn = new TokenConnection(s, new PinSource(s.pinEnv(), s.pinFile(), env));
        this.previousLookup = previous;
        this.current = s.keyLabel();
    }

    /** Opens the token now if it is there; if not, the provider still registers and every call retries. */
    private void start() {
        try {
            call("open the key", () -> current, (s, l) -> {
                pickCurrent(s, settings.createKey());
                return l;
            });
            LOG.info("PKCS#11 root key provider ready: token {}, current key '{}', mechanism {}", settings.tokenName(), current, Pkcs11Settings.GCM);
        } catch (KeystoreException e) {
            LOG.warn("PKCS#11 root key provider started without its token; calls retry: {}", e.getMessage());
        }
    }

    @Deactivate
    void deactivate() {
        closed = true;
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException e) {
                LOG.debug("already unregistered");
            }
            registration = null;
        }
        synchronized (gotPrevious) {
            for (ServiceReference<RootKeyProvider> r : gotPrevious) {
                try {
                    context.ungetService(r);
                } catch (IllegalStateException e) {
                    LOG.debug("previous provider already gone");
                }
            }
            gotPrevious.clear();
        }
        conn.close();
    }

    /** Closes the connection (outside OSGi). */
    void close() {
        closed = true;
        conn.close();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public byte[] wrap(byte[] dek, byte[] aad) throws KeystoreException {
        if (dek == null || dek.length == 0 || dek.length > DEK_MAX) {
            throw new InvalidKeyRequestException("dek", "must be 1.." + DEK_MAX + " bytes");
        }
        checkOpen();
        byte[] aadIn = aad == null ? new byte[0] : aad;
        return call("wrap a DEK", () -> current, (s, label) -> {
            SecretKey k = s.key(label);
            if (k == null) {
                throw conn.missingKey(label);
            }
            byte[] prefix = WrappedDek.prefix(label);
            byte[] iv = new byte[WrappedDek.IV_BYTES];
            random.nextBytes(iv);
            byte[] ct = s.crypt(Cipher.ENCRYPT_MODE, k, iv, concat(prefix, aadIn), dek);
            return WrappedDek.encode(prefix, iv, ct);
        });
    }

    @Override
    public byte[] unwrap(byte[] wrapped, byte[] aad) throws KeystoreException {
        checkOpen();
        if (!WrappedDek.isOurs(wrapped)) {
            return unwrapPrevious(wrapped, aad);
        }
        WrappedDek w = WrappedDek.parse(wrapped);
        if (w == null) {
            throw new IntegrityException(null, NAME, "PKCS#11-wrapped DEK is malformed or of an unknown format");
        }
        byte[] aadIn = concat(w.prefix(), aad == null ? new byte[0] : aad);
        if (KeyLabels.version(settings.keyLabel(), w.label()) == 0) {
            throw new IntegrityException(null, NAME, "PKCS#11-wrapped DEK names key '" + w.label() + "', which is not a version of root key '"
                    + settings.keyLabel() + "' (altered, or wrapped under another configuration)");
        }
        return call("unwrap a DEK", w::label, (s, label) -> {
            SecretKey k = s.key(label);
            if (k == null) {
                throw conn.missingKey(label);
            }
            try {
                return s.crypt(Cipher.DECRYPT_MODE, k, w.iv(), aadIn, w.ciphertext());
            } catch (AEADBadTagException e) {
                // SoftHSM2 reports a failed tag as CKR_GENERAL_ERROR: tell tampering from a failing token
                selfTest(s, k);
                throw new IntegrityException(null, NAME, "PKCS#11-wrapped DEK failed authentication under key '" + label
                        + "' (altered, or bound to another record)");
            }
        });
    }

    private byte[] unwrapPrevious(byte[] wrapped, byte[] aad) throws KeystoreException {
        String prev = settings.previousProvider();
        if (prev.isEmpty()) {
            throw new IntegrityException(null, NAME, "root-wrapped DEK was not made by the PKCS#11 provider (set previousProvider, e.g. local, to open "
                    + "records of the provider used before)");
        }
        RootKeyProvider p = previousLookup.apply(prev);
        if (p == null) {
            throw new BackendUnavailableException(NAME, "previous root key provider '" + prev + "' (for records wrapped before the switch) is not available",
                    Duration.ofSeconds(5));
        }
        return p.unwrap(wrapped, aad);
    }

    /** Encrypts and decrypts zeros under the key: passes only if the token works. */
    private static void selfTest(TokenSession s, SecretKey k) throws GeneralSecurityException {
        byte[] iv = new byte[WrappedDek.IV_BYTES];
        newRandom().nextBytes(iv);
        byte[] probe = new byte[16];
        byte[] ct = s.crypt(Cipher.ENCRYPT_MODE, k, iv, probe, probe);
        s.crypt(Cipher.DECRYPT_MODE, k, iv, probe, ct);
    }

    @Override
    public BackendHealth health() {
        if (closed) {
            return BackendHealth.of(BackendState.UNAVAILABLE, "stopped", Duration.ZERO);
        }
        long t0 = System.nanoTime();
        try {
            String label = call("check the key", () -> current, (s, l) -> {
                conn.refresh(s);
                pickCurrent(s, false);
                if (s.key(current) == null) {
                    throw conn.missingKey(current);
                }
                return current;
            });
            return BackendHealth.of(BackendState.UP, "token " + settings.tokenName() + ", current key '" + label + "'",
                    Duration.ofNanos(System.nanoTime() - t0));
        } catch (KeystoreException e) {
            return BackendHealth.of(BackendState.UNAVAILABLE, e.getMessage(), Duration.ofNanos(System.nanoTime() - t0));
        }
    }

    /**
     * Creates the root key in the token (operators: {@code keystore:rootkey create}).
     *
     * @return the label created
     * @throws KeystoreException if a key with that label exists or the token fails
     */
    public String createKey() throws KeystoreException {
        checkOpen();
        conn.connect(true);
        return call("create the key", settings::keyLabel, (s, label) -> {
            conn.refresh(s);
            if (KeyLabels.highest(settings.keyLabel(), s.labels()) > 0) {
                throw new InvalidKeyRequestException("keyLabel", "token " + settings.tokenName() + " already holds root key '" + label
                        + "' (use keystore:rootkey rotate for a new one)");
            }
            s.generate(label);
            current = label;
            LOG.info("PKCS#11 root key '{}' created in token {} (AES-256, sensitive, non-extractable)", label, settings.tokenName());
            return label;
        });
    }

    /**
     * Rotates the root key: a new key under the next versioned label becomes current at once; every older
     * key stays in the token, so records wrapped under it keep opening (no downtime, no rewrap needed).
     *
     * @return the new current label
     */
    public String rotate() throws KeystoreException {
        checkOpen();
        conn.connect(true);
        return call("rotate the key", () -> current, (s, old) -> {
            conn.refresh(s);
            int v = KeyLabels.highest(settings.keyLabel(), s.labels());
            if (v == 0) {
                throw conn.missingKey(settings.keyLabel());
            }
            String next = KeyLabels.label(settings.keyLabel(), v + 1);
            s.generate(next);
            current = next;
            LOG.info("PKCS#11 root key rotated in token {}: '{}' is current, '{}' and older still unwrap", settings.tokenName(), next,
                    KeyLabels.label(settings.keyLabel(), v));
            return next;
        });
    }

    /** @return the label new wraps use */
    public String currentLabel() {
        return current;
    }

    /** @return the versioned root key labels the token holds, oldest first */
    public List<String> keyLabels() throws KeystoreException {
        checkOpen();
        return call("list keys", () -> current, (s, l) -> {
            conn.refresh(s);
            List<String> out = new ArrayList<>();
            for (String label : s.labels()) {
                if (KeyLabels.version(settings.keyLabel(), label) > 0) {
                    out.add(label);
                }
            }
            out.sort((a, b) -> Integer.compare(KeyLabels.version(settings.keyLabel(), a), KeyLabels.version(settings.keyLabel(), b)));
            return out;
        });
    }

    /** @return whether the key under {@code label} is sensitive and non-extractable in the token */
    public boolean nonExtractable(String label) throws KeystoreException {
        return call("inspect the key", () -> label, (s, l) -> {
            SecretKey k = s.key(l);
            if (k == null) {
                throw conn.missingKey(l);
            }
            return TokenSession.sealedInToken(k);
        });
    }

    String tokenName() {
        return settings.tokenName();
    }

    /** For tests: the key handle the JVM sees (to prove its bytes cannot be had). */
    SecretKey keyHandle(String label) throws KeystoreException {
        return call("read the key handle", () -> label, (s, l) -> s.key(l));
    }

    private void pickCurrent(TokenSession s, boolean create) throws KeystoreException, GeneralSecurityException {
        int v = KeyLabels.highest(settings.keyLabel(), s.labels());
        if (v == 0 && create) {
            s.generate(settings.keyLabel());
            LOG.info("PKCS#11 root key '{}' created in token {} on first start (AES-256, sensitive, non-extractable)", settings.keyLabel(),
                    settings.tokenName());
            v = 1;
        }
        if (v > 0) {
            current = KeyLabels.label(settings.keyLabel(), v);
        }
    }

    /** A token operation, retried once on a fresh session when the token failed under it. */
    private <T> T call(String what, java.util.function.Supplier<String> label, TokenOp<T> op) throws KeystoreException {
        TokenSession s = conn.session();
        String l = label.get();
        try {
            return op.run(s, l);
        } catch (GeneralSecurityException | RuntimeException e) {
            if (!TokenConnection.tokenLevel(e)) {
                throw conn.failure(what, l, e);
            }
            conn.invalidate(s);
        }
        TokenSession again = conn.session();
        try {
            return op.run(again, l);
        } catch (GeneralSecurityException | RuntimeException e) {
            if (TokenConnection.tokenLevel(e)) {
                conn.invalidate(again);
            }
            throw conn.failure(what, l, e);
        }
    }

    @FunctionalInterface
    private interface TokenOp<T> {
        T run(TokenSession s, String label) throws GeneralSecurityException, KeystoreException;
    }

    private RootKeyProvider previousService(String name) {
        try {
            var refs = context.getServiceReferences(RootKeyProvider.class, "(" + RootKeyProvider.PROVIDER_PROPERTY + "=" + name + ")");
            ServiceReference<RootKeyProvider> best = refs.stream().max(ServiceReference::compareTo).orElse(null);
            if (best == null) {
                return null;
            }
            RootKeyProvider p = context.getService(best);
            if (p != null) {
                synchronized (gotPrevious) {
                    if (gotPrevious.contains(best)) {
                        context.ungetService(best);
                    } else {
                        gotPrevious.add(best);
                    }
                }
            }
            return p;
        } catch (InvalidSyntaxException | IllegalStateException e) {
            return null;
        }
    }

    private void checkOpen() throws KeystoreException {
        if (closed) {
            throw new BackendUnavailableException(NAME, "PKCS#11 root key provider stopped", null);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static SecureRandom newRandom() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (java.security.NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }

    @Override
    public String toString() {
        return "Pkcs11RootKeyProvider[token " + (settings == null ? "?" : settings.tokenName()) + ", key '" + current + "']";
    }
}
