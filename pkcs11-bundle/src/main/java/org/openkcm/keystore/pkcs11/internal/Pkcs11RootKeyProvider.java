package org.openkcm.keystore.pkcs11.internal;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
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
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Root key in a PKCS#11 token: each L2 DEK is encrypted and decrypted inside the token by
 * CKM_AES_GCM under a sensitive, non-extractable AES-256 key, with the record's associated data
 * bound; the key's bytes never exist in the JVM. Wrapped form: {@link WrappedDek}. Rotation adds a
 * key under the next versioned label ({@link RootKeyVersions}); older wraps name their label and
 * keep opening. Wraps of a {@code previousProvider} (e.g. {@code local}, after a switch) are
 * unwrapped through that provider. Registers its service itself (like the Transit provider) so its
 * configuration never becomes service properties.
 */
@Component(
    service = {},
    configurationPid = Pkcs11Config.PID,
    configurationPolicy = ConfigurationPolicy.REQUIRE,
    immediate = true)
@Designate(ocd = Pkcs11Config.class)
public final class Pkcs11RootKeyProvider implements RootKeyProvider {
  public static final String NAME = "pkcs11";
  private static final Logger LOG = LoggerFactory.getLogger(Pkcs11RootKeyProvider.class);
  private static final int DEK_MAX = 64;

  private Pkcs11Settings settings;
  private TokenConnection conn;
  private RootKeyVersions versions;
  private Function<String, RootKeyProvider> previousLookup;
  private PreviousProviders previous;
  private final SecureRandom random = newRandom();
  private volatile boolean closed;
  private ServiceRegistration<RootKeyProvider> registration;

  public Pkcs11RootKeyProvider() {}

  /** Outside OSGi (tests, benchmarks). */
  Pkcs11RootKeyProvider(
      Pkcs11Settings settings,
      UnaryOperator<String> env,
      Function<String, RootKeyProvider> previous) {
    configure(settings, env, previous);
    start();
  }

  @Activate
  void activate(BundleContext ctx, Pkcs11Config config, Map<String, Object> properties) {
    previous = new PreviousProviders(ctx);
    configure(Pkcs11Settings.from(config, properties), System::getenv, previous::get);
    start();
    Hashtable<String, Object> props = new Hashtable<>();
    props.put(RootKeyProvider.PROVIDER_PROPERTY, NAME);
    if (properties.get(Constants.SERVICE_RANKING) instanceof Integer ranking) {
      props.put(Constants.SERVICE_RANKING, ranking);
    }
    registration = ctx.registerService(RootKeyProvider.class, this, props);
  }

  private void configure(
      Pkcs11Settings s, UnaryOperator<String> env, Function<String, RootKeyProvider> lookup) {
    this.settings = s;
    this.conn = new TokenConnection(s, new PinSource(s.pinEnv(), s.pinFile(), env));
    this.versions = new RootKeyVersions(s, conn);
    this.previousLookup = lookup;
  }

  /**
   * Opens the token now if it is there; if not, the provider still registers and every call
   * retries.
   */
  private void start() {
    try {
      conn.call(
          "open the key",
          settings.keyLabel(),
          (s, l) -> {
            versions.pick(s, settings.createKey());
            return l;
          });
      LOG.info(
          "PKCS#11 root key provider ready: token {}, current key '{}', mechanism {}",
          settings.tokenName(),
          versions.current(),
          Pkcs11Settings.GCM);
    } catch (KeystoreException e) {
      LOG.warn(
          "PKCS#11 root key provider started without its token; calls retry: {}", e.getMessage());
    }
  }

  @Deactivate
  void deactivate() {
    if (registration != null) {
      try {
        registration.unregister();
      } catch (IllegalStateException e) {
        LOG.debug("already unregistered");
      }
      registration = null;
    }
    if (previous != null) {
      previous.close();
    }
    close();
  }

  /** Logs out and closes the connection. */
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
    versions.refreshIfStale();
    return conn.call(
        "wrap a DEK",
        versions.current(),
        (s, label) -> {
          SecretKey k = versions.key(s, label);
          byte[] prefix = WrappedDek.prefix(label);
          byte[] iv = new byte[WrappedDek.IV_BYTES];
          random.nextBytes(iv);
          return WrappedDek.encode(
              prefix, iv, s.crypt(Cipher.ENCRYPT_MODE, k, iv, concat(prefix, aadIn), dek));
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
      throw new IntegrityException(
          null, NAME, "PKCS#11-wrapped DEK is malformed or of an unknown format");
    }
    if (KeyLabels.version(settings.keyLabel(), w.label()) == 0) {
      throw new IntegrityException(
          null,
          NAME,
          "PKCS#11-wrapped DEK names key '"
              + w.label()
              + "', which is not a version of root key '"
              + settings.keyLabel()
              + "' (altered, or wrapped under another configuration)");
    }
    byte[] aadIn = concat(w.prefix(), aad == null ? new byte[0] : aad);
    return conn.call(
        "unwrap a DEK",
        w.label(),
        (s, label) -> {
          SecretKey k = versions.key(s, label);
          try {
            return s.crypt(Cipher.DECRYPT_MODE, k, w.iv(), aadIn, w.ciphertext());
          } catch (AEADBadTagException e) {
            // SoftHSM2 reports a failed tag as CKR_GENERAL_ERROR: tell tampering from a failing
            // token
            selfTest(s, k);
            throw new IntegrityException(
                null,
                NAME,
                "PKCS#11-wrapped DEK failed authentication under key '"
                    + label
                    + "' (altered, or bound to another record)");
          }
        });
  }

  private byte[] unwrapPrevious(byte[] wrapped, byte[] aad) throws KeystoreException {
    String prev = settings.previousProvider();
    if (prev.isEmpty()) {
      throw new IntegrityException(
          null,
          NAME,
          "root-wrapped DEK was not made by the PKCS#11 provider (set previousProvider, e.g. local, to open "
              + "records of the provider used before)");
    }
    RootKeyProvider p = previousLookup.apply(prev);
    if (p == null) {
      throw new BackendUnavailableException(
          NAME,
          "previous root key provider '"
              + prev
              + "' (for records wrapped before the switch) is not available",
          Duration.ofSeconds(5));
    }
    return p.unwrap(wrapped, aad);
  }

  /**
   * A secret for the core's authentication of stored state, derived inside the token: AES-GCM under
   * the FIRST version of the root key (so rotation never changes it) of 32 zero bytes, with an IV
   * and associated data fixed by the label, then HKDF-SHA256. Deterministic on every node sharing
   * the token's key; the key never leaves the token. While {@code previousProvider} is set (a
   * runtime moved here from another provider), state authenticated under the previous provider's
   * key still verifies ({@link #derivePreviousKeys}) until the core rewrites it under this one.
   */
  @Override
  public byte[] deriveKey(String label) throws KeystoreException {
    checkOpen();
    byte[] info =
        ("openkcm-keystore pkcs11 derive v1\0" + label)
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] iv = Arrays.copyOf(sha256(info), WrappedDek.IV_BYTES);
    byte[] block =
        conn.call(
            "derive a key",
            settings.keyLabel(),
            (s, first) -> s.encryptWithFixedIv(versions.key(s, first), iv, info, new byte[32]));
    try {
      return hkdfSha256(block, info);
    } finally {
      Arrays.fill(block, (byte) 0);
    }
  }

  /**
   * @return the previous provider's derived secret while {@code previousProvider} is set, so the
   *     state it authenticated before the switch keeps verifying
   */
  @Override
  public List<byte[]> derivePreviousKeys(String label) throws KeystoreException {
    checkOpen();
    String prev = settings.previousProvider();
    if (prev.isEmpty()) {
      return List.of();
    }
    RootKeyProvider p = previousLookup.apply(prev);
    if (p == null) {
      throw new BackendUnavailableException(
          NAME,
          "previous root key provider '"
              + prev
              + "' (whose state keys records of before the switch carry) is not available",
          Duration.ofSeconds(5));
    }
    return List.of(p.deriveKey(label));
  }

  /**
   * @return true for a wrap of another provider (before a switch) or of a key version that is not
   *     the current one
   */
  @Override
  public boolean needsRewrap(byte[] wrapped) {
    if (!WrappedDek.isOurs(wrapped)) {
      return true;
    }
    WrappedDek w = WrappedDek.parse(wrapped);
    return w != null && !w.label().equals(versions.current());
  }

  private static byte[] sha256(byte[] in) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(in);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  /** RFC 5869 with an all-zero salt, one 32-byte block of output. */
  private static byte[] hkdfSha256(byte[] ikm, byte[] info) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(new byte[32], "HmacSHA256"));
      byte[] prk = mac.doFinal(ikm);
      try {
        mac.init(new javax.crypto.spec.SecretKeySpec(prk, "HmacSHA256"));
        mac.update(info);
        mac.update((byte) 1);
        return mac.doFinal();
      } finally {
        Arrays.fill(prk, (byte) 0);
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 missing from the JDK", e);
    }
  }

  /** Encrypts and decrypts zeros under the key: passes only if the token works. */
  private void selfTest(TokenSession s, SecretKey k) throws GeneralSecurityException {
    byte[] iv = new byte[WrappedDek.IV_BYTES];
    random.nextBytes(iv);
    byte[] probe = new byte[16];
    s.crypt(Cipher.DECRYPT_MODE, k, iv, probe, s.crypt(Cipher.ENCRYPT_MODE, k, iv, probe, probe));
  }

  @Override
  public BackendHealth health() {
    if (closed) {
      return BackendHealth.of(BackendState.UNAVAILABLE, "stopped", Duration.ZERO);
    }
    long t0 = System.nanoTime();
    try {
      String label = versions.check();
      return BackendHealth.of(
          BackendState.UP,
          "token " + settings.tokenName() + ", current key '" + label + "'",
          Duration.ofNanos(System.nanoTime() - t0));
    } catch (KeystoreException e) {
      return BackendHealth.of(
          BackendState.UNAVAILABLE, e.getMessage(), Duration.ofNanos(System.nanoTime() - t0));
    }
  }

  /**
   * Creates the root key in the token ({@code keystore:rootkey create}); refused if a version
   * exists.
   */
  public String createKey() throws KeystoreException {
    checkOpen();
    return versions.create();
  }

  /**
   * Rotates: a key under the next versioned label becomes current; older keys stay and still
   * unwrap.
   */
  public String rotate() throws KeystoreException {
    checkOpen();
    return versions.rotate();
  }

  public String currentLabel() {
    return versions.current();
  }

  /**
   * @return the root key versions in the token, oldest first
   */
  public List<String> keyLabels() throws KeystoreException {
    checkOpen();
    return versions.labels();
  }

  /**
   * @return whether the key under {@code label} is sensitive and non-extractable in the token
   */
  public boolean nonExtractable(String label) throws KeystoreException {
    return TokenSession.sealedInToken(versions.handle(label));
  }

  String tokenName() {
    return settings.tokenName();
  }

  /** For tests: the key handle the JVM sees (to prove its bytes cannot be had). */
  SecretKey keyHandle(String label) throws KeystoreException {
    return versions.handle(label);
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
    return "Pkcs11RootKeyProvider[token "
        + (settings == null ? "?" : settings.tokenName())
        + ", key '"
        + (versions == null ? "?" : versions.current())
        + "']";
  }
}
