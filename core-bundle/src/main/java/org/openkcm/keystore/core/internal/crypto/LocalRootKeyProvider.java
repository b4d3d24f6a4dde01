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
 * {@code u8 format (1) | 8-byte key id | 12-byte IV | AES-256-GCM(DEK) | 16-byte tag}, with the
 * first nine bytes and the caller's aad as associated data. The key id (a hash of the key) makes a
 * wrong master key fail as an integrity error naming both ids, rather than decrypting to garbage.
 * Delayed component: activated (and the key file created) only when the core's configuration
 * selects it.
 */
@Component(
    service = RootKeyProvider.class,
    configurationPid = RootKeyConfig.PID,
    configurationPolicy = ConfigurationPolicy.OPTIONAL,
    property = RootKeyProvider.PROVIDER_PROPERTY + "=" + LocalRootKeyProvider.NAME)
@Designate(ocd = RootKeyConfig.class)
public final class LocalRootKeyProvider implements RootKeyProvider, AutoCloseable {
  public static final String NAME = "local";
  static final byte FORMAT = 1;
  static final int KID_BYTES = 8;
  private static final int PREFIX = 1 + KID_BYTES;
  private static final Logger LOG = LoggerFactory.getLogger(LocalRootKeyProvider.class);

  private final Path file;
  private final boolean fromEnvironment;

  /**
   * null while the key is missing (never created over existing keys: see {@code MasterKeyGuard})
   */
  private volatile byte[] masterKey;

  private volatile byte[] kid;

  /** set when the file holds a key other than the one recorded for it */
  private volatile String problem;

  private volatile boolean closed;

  /**
   * The OSGi component: a missing key file is <em>not</em> created here; the core creates it only
   * when no configured backend holds a record and no key id was recorded ({@link #create()}).
   */
  @Activate
  public LocalRootKeyProvider(RootKeyConfig config) {
    this(resolve(config.masterKeyFile()), System::getenv, false);
  }

  /**
   * For tests and tools: creates a missing key at once (unless a key id was recorded for the file).
   */
  public LocalRootKeyProvider(Path masterKeyFile, UnaryOperator<String> env) {
    this(masterKeyFile, env, true);
  }

  /**
   * @param env environment lookup (tests pass their own)
   */
  public LocalRootKeyProvider(
      Path masterKeyFile, UnaryOperator<String> env, boolean createIfMissing) {
    this.file = masterKeyFile;
    String envValue = env.apply(MasterKeyFile.ENV);
    this.fromEnvironment = envValue != null && !envValue.isBlank();
    byte[] k = MasterKeyFile.loadExisting(envValue, masterKeyFile);
    if (k == null && createIfMissing && MasterKeyFile.recordedId(masterKeyFile) == null) {
      MasterKeyFile.createNew(masterKeyFile);
      k = MasterKeyFile.loadExisting(null, masterKeyFile);
    }
    if (k != null) {
      install(k);
    } else {
      LOG.warn(
          "Local root key: master key file {} does not exist; it is created at the first use only if no configured"
              + " backend holds keys and no master key id was recorded for it",
          masterKeyFile);
    }
  }

  /** {@code ~/...} is the user's home directory. */
  static Path resolve(String configured) {
    if (configured.startsWith("~/")) {
      return Path.of(System.getProperty("user.home"), configured.substring(2));
    }
    return Path.of(configured);
  }

  private void install(byte[] k) {
    byte[] id = keyId(k);
    String hex = HexFormat.of().formatHex(id);
    String recorded = fromEnvironment ? null : MasterKeyFile.recordedId(file);
    if (recorded != null && !recorded.equals(hex)) {
      Arrays.fill(k, (byte) 0);
      problem =
          "master key file "
              + file
              + " holds master key id "
              + hex
              + ", but master key id "
              + recorded
              + " was recorded for it ("
              + MasterKeyFile.idFile(file)
              + "): it is not the key the stored L2 keys are"
              + " wrapped under; restore the original file (or set "
              + MasterKeyFile.ENV
              + ")";
      LOG.error("Local root key: {}", problem);
      return;
    }
    kid = id;
    masterKey = k;
    if (!fromEnvironment) {
      MasterKeyFile.recordId(file, hex);
    }
    LOG.info("Local root key provider ready, master key id {}", hex);
  }

  /**
   * @return whether a usable master key is loaded
   */
  public boolean hasKey() {
    return masterKey != null;
  }

  /**
   * @return the master key file this provider reads
   */
  public Path file() {
    return file;
  }

  /**
   * @return the key id recorded beside the file ({@code <file>.id}), or null
   */
  public String recordedKeyId() {
    return fromEnvironment ? null : MasterKeyFile.recordedId(file);
  }

  /**
   * Creates the missing master key file. The core calls it only after checking that no configured
   * backend holds a record; refused when a key id was recorded for the file (the key was lost, not
   * never made).
   */
  public synchronized void create() {
    if (masterKey != null) {
      return;
    }
    if (problem != null) {
      throw new IllegalStateException(problem);
    }
    String recorded = recordedKeyId();
    if (recorded != null) {
      throw new IllegalStateException(missingMessage(recorded));
    }
    MasterKeyFile.createNew(file);
    install(MasterKeyFile.loadExisting(null, file));
  }

  /**
   * @return why no key is usable: the wrong key, or the missing file and the key id expected there
   */
  public String missingMessage(String expectedId) {
    if (problem != null) {
      return problem;
    }
    return "master key file "
        + file
        + " is missing"
        + (expectedId == null ? "" : "; expected master key id " + expectedId)
        + ". Restore it from your backup (or set "
        + MasterKeyFile.ENV
        + "); a new master key is never created"
        + " over existing keys";
  }

  private byte[] key() throws KeystoreException {
    checkOpen();
    byte[] k = masterKey;
    if (k == null) {
      throw new org.openkcm.keystore.model.BackendUnavailableException(
          NAME, missingMessage(recordedKeyId()), null);
    }
    return k;
  }

  /**
   * @return the master key id (hex) a sealed L2 record's root-wrapped DEK names, if this provider
   *     wrapped it ({@code null} for other records or providers)
   */
  public static String keyIdOf(byte[] sealed) {
    if (!SealedFormat.hasMagic(sealed) || sealed[3] != SealedFormat.KIND_ROOT) {
      return null;
    }
    int n = SealedFormat.wrappedDekLength(sealed);
    if (n < PREFIX
        || sealed.length < SealedFormat.HEADER + PREFIX
        || sealed[SealedFormat.HEADER] != FORMAT) {
      return null;
    }
    return HexFormat.of()
        .formatHex(
            Arrays.copyOfRange(sealed, SealedFormat.HEADER + 1, SealedFormat.HEADER + PREFIX));
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte[] wrap(byte[] dek, byte[] aad) throws KeystoreException {
    byte[] masterKey = key();
    byte[] kid = this.kid;
    byte[] iv = ThreadCrypto.randomBytes(AesGcm.IV_BYTES);
    byte[] out = new byte[PREFIX + AesGcm.IV_BYTES + dek.length + AesGcm.TAG_BYTES];
    out[0] = FORMAT;
    System.arraycopy(kid, 0, out, 1, KID_BYTES);
    System.arraycopy(iv, 0, out, PREFIX, AesGcm.IV_BYTES);
    AesGcm.encrypt(
        masterKey,
        false,
        iv,
        dek,
        0,
        dek.length,
        out,
        PREFIX + AesGcm.IV_BYTES,
        Arrays.copyOf(out, PREFIX),
        aad);
    // a close() racing this call may have zeroized the key mid-way: never hand out a wrap under
    // zeros
    checkOpen();
    return out;
  }

  @Override
  public byte[] unwrap(byte[] wrapped, byte[] aad) throws KeystoreException {
    byte[] masterKey = key();
    byte[] kid = this.kid;
    if (wrapped.length < PREFIX + AesGcm.IV_BYTES + AesGcm.TAG_BYTES || wrapped[0] != FORMAT) {
      throw new IntegrityException(
          null, NAME, "root-wrapped DEK is malformed or of an unknown format");
    }
    byte[] theirs = Arrays.copyOfRange(wrapped, 1, PREFIX);
    if (!MessageDigest.isEqual(theirs, kid)) {
      throw new IntegrityException(
          null,
          NAME,
          "DEK was wrapped under master key id "
              + HexFormat.of().formatHex(theirs)
              + ", but this runtime holds master key id "
              + HexFormat.of().formatHex(kid));
    }
    byte[] iv = Arrays.copyOfRange(wrapped, PREFIX, PREFIX + AesGcm.IV_BYTES);
    int ct = PREFIX + AesGcm.IV_BYTES;
    try {
      return AesGcm.decrypt(
          masterKey,
          false,
          iv,
          wrapped,
          ct,
          wrapped.length - ct,
          Arrays.copyOf(wrapped, PREFIX),
          aad);
    } catch (AEADBadTagException e) {
      throw new IntegrityException(
          null,
          NAME,
          "root-wrapped DEK failed authentication (altered, or bound to another record)");
    }
  }

  /**
   * HKDF-SHA256 of the master key with {@code label} as info: deterministic, the master key never
   * leaves.
   */
  @Override
  public byte[] deriveKey(String label) throws KeystoreException {
    byte[] out = Hkdf.derive(key(), label);
    checkOpen();
    return out;
  }

  @Override
  public BackendHealth health() {
    if (closed) {
      return BackendHealth.of(BackendState.UNAVAILABLE, "stopped", Duration.ZERO);
    }
    return masterKey == null
        ? BackendHealth.of(BackendState.UNAVAILABLE, missingMessage(recordedKeyId()), Duration.ZERO)
        : BackendHealth.up(Duration.ZERO);
  }

  /**
   * @return the master key's public identifier, hex
   */
  public String keyIdHex() {
    byte[] id = kid;
    return id == null ? "none" : HexFormat.of().formatHex(id);
  }

  @Deactivate
  @Override
  public void close() {
    closed = true;
    byte[] k = masterKey;
    if (k != null) {
      Arrays.fill(k, (byte) 0);
    }
  }

  private void checkOpen() throws KeystoreException {
    if (closed) {
      throw new org.openkcm.keystore.model.BackendUnavailableException(
          NAME, "local root key provider stopped", null);
    }
  }

  /**
   * First 8 bytes of SHA-256 over a domain label and the key: identifies, reveals nothing usable.
   */
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
