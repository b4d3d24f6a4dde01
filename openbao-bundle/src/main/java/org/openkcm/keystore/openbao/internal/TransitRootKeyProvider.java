package org.openkcm.keystore.openbao.internal;

import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.IntegrityException;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.spi.BackendHealth;
import org.openkcm.keystore.spi.BackendState;
import org.openkcm.keystore.spi.RootKeyProvider;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Root key in OpenBao Transit: DEKs are wrapped and unwrapped by {@code
 * transit/encrypt|decrypt/<key>} with the AAD passed as Transit's {@code associated_data}, so the
 * root key never leaves OpenBao. The wrapped form is Transit's own ciphertext {@code
 * vault:v<N>:...}: it names the key version, so rotating the Transit key keeps older records
 * readable (as long as min_decryption_version allows). Registers its service itself, like {@link
 * OpenBaoKeystore}, so the token never becomes a service property.
 */
// service = {}: see OpenBaoKeystore (DS would otherwise publish the configuration, token included)
@Component(
    service = {},
    configurationPid = TransitConfig.PID,
    configurationPolicy = ConfigurationPolicy.REQUIRE,
    immediate = true)
@Designate(ocd = TransitConfig.class)
public final class TransitRootKeyProvider implements RootKeyProvider {
  static final String NAME = "openbao-transit";

  /** Transit key types that bind associated_data (AEAD); others would silently ignore the AAD. */
  static final Set<String> AEAD_TYPES = Set.of("aes128-gcm96", "aes256-gcm96", "chacha20-poly1305");

  private static final Logger LOG = LoggerFactory.getLogger(TransitRootKeyProvider.class);

  private BaoConnection conn;
  private String keyPath;
  private String keyName;

  /**
   * Set once the key is known to exist with an AEAD type: encrypt would otherwise create a key on a
   * typo.
   */
  private volatile boolean keyVerified;

  private ServiceRegistration<RootKeyProvider> registration;

  public TransitRootKeyProvider() {}

  TransitRootKeyProvider(BaoSettings settings, String keyName) {
    configure(settings, keyName);
  }

  @Activate
  void activate(BundleContext context, TransitConfig config, Map<String, Object> properties) {
    configure(BaoSettings.from(config, BaoEnvironment.of(context)), config.keyName());
    registration =
        ServiceRegistrations.register(
            context,
            RootKeyProvider.class,
            this,
            RootKeyProvider.PROVIDER_PROPERTY,
            NAME,
            properties);
    LOG.info("OpenBao Transit root key provider active: key {} at {}", keyName, conn.settings);
  }

  private void configure(BaoSettings settings, String name) {
    try {
      this.keyName = PathLayout.segment("keyName", name == null ? "" : name.trim());
    } catch (InvalidKeyRequestException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
    this.conn = new BaoConnection(settings, NAME);
    this.keyPath = settings.mount + "/keys/" + keyName;
  }

  @Deactivate
  void deactivate() {
    ServiceRegistrations.unregister(registration);
    registration = null;
    conn.close();
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte[] wrap(byte[] dek, byte[] aad) throws KeystoreException {
    if (dek == null || dek.length == 0) {
      throw new InvalidKeyRequestException("dek", "is empty");
    }
    verifyKey();
    String api = conn.settings.mount + "/encrypt/" + keyName;
    byte[] body = TransitMessages.encryptRequest(dek, aad == null ? new byte[0] : aad);
    BaoHttp.Answer r;
    try {
      r = post(api, body);
    } finally {
      Arrays.fill(body, (byte) 0);
    }
    if (r.status != 200) {
      throw BaoErrors.fromStatus(NAME, null, "encrypt with " + keyPath, r.status, r.body);
    }
    String ciphertext = dataString(r, "ciphertext", "encrypt with " + keyPath);
    if (TransitMessages.keyVersion(ciphertext) < 0) {
      throw new BackendUnavailableException(
          NAME, "encrypt with " + keyPath + " returned no Transit ciphertext", null);
    }
    return ciphertext.getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public byte[] unwrap(byte[] wrapped, byte[] aad) throws KeystoreException {
    String ciphertext = wrapped == null ? "" : new String(wrapped, StandardCharsets.US_ASCII);
    if (TransitMessages.keyVersion(ciphertext) < 0) {
      throw new IntegrityException(
          null, NAME, "wrapped DEK is not a Transit ciphertext of " + keyPath);
    }
    verifyKey();
    BaoHttp.Answer r =
        post(
            conn.settings.mount + "/decrypt/" + keyName,
            TransitMessages.decryptRequest(ciphertext, aad == null ? new byte[0] : aad));
    byte[] answer = r.body;
    try {
      if (r.status == 400) {
        // authentication failure, a version that does not exist, damaged base64: all mean altered
        // input
        throw new IntegrityException(
            null,
            NAME,
            "wrapped DEK or its associated data was altered (Transit "
                + keyPath
                + ": "
                + BaoErrors.errors(answer)
                + ")");
      }
      if (r.status != 200) {
        throw BaoErrors.fromStatus(NAME, null, "decrypt with " + keyPath, r.status, answer);
      }
      byte[] dek = TransitMessages.plaintext(answer);
      if (dek == null) {
        throw new BackendUnavailableException(
            NAME, "decrypt with " + keyPath + " returned no plaintext", null);
      }
      return dek;
    } finally {
      Arrays.fill(answer, (byte) 0);
    }
  }

  /**
   * Transit's HMAC-SHA256 of the label under version 1 of the key's HMAC key ({@code
   * transit/hmac}): the same on every node, unchanged by a Transit key rotation, and the key itself
   * never leaves OpenBao.
   */
  @Override
  public byte[] deriveKey(String label) throws KeystoreException {
    verifyKey();
    String api = conn.settings.mount + "/hmac/" + keyName + "/sha2-256";
    String input = Base64.getEncoder().encodeToString(label.getBytes(StandardCharsets.UTF_8));
    BaoHttp.Answer r =
        post(
            api,
            ("{\"input\":\"" + input + "\",\"key_version\":1}")
                .getBytes(StandardCharsets.US_ASCII));
    if (r.status != 200) {
      throw BaoErrors.fromStatus(NAME, null, "hmac with " + keyPath, r.status, r.body);
    }
    String hmac = dataString(r, "hmac", "hmac with " + keyPath);
    int colon = hmac.lastIndexOf(':');
    if (!hmac.startsWith("vault:v1:") || colon < 0) {
      throw new BackendUnavailableException(
          NAME, "hmac with " + keyPath + " returned no Transit HMAC", null);
    }
    try {
      return Base64.getDecoder().decode(hmac.substring(colon + 1));
    } catch (IllegalArgumentException e) {
      throw new BackendUnavailableException(
          NAME, "hmac with " + keyPath + " returned a malformed HMAC", null);
    }
  }

  /**
   * @return Transit key version named by a wrapped DEK (operators, tests), -1 if it is not one.
   */
  static int keyVersion(byte[] wrapped) {
    return TransitMessages.keyVersion(new String(wrapped, StandardCharsets.US_ASCII));
  }

  @Override
  public BackendHealth health() {
    BackendHealth server = HealthProbe.check(conn);
    if (server.state() != BackendState.UP) {
      return server;
    }
    try {
      keyVerified = false;
      verifyKey();
      return server;
    } catch (KeystoreException e) {
      return BackendHealth.of(
          BackendState.UNAVAILABLE,
          "Transit key " + keyPath + ": " + e.getMessage(),
          server.latency());
    }
  }

  private void verifyKey() throws KeystoreException {
    if (keyVerified) {
      return;
    }
    BaoHttp.Answer r = get(keyPath);
    if (r.status == 404) {
      throw new BackendUnavailableException(
          NAME,
          "Transit key " + keyPath + " does not exist (it is never created implicitly)",
          null);
    }
    if (r.status != 200) {
      throw BaoErrors.fromStatus(NAME, null, "read " + keyPath, r.status, r.body);
    }
    String type = dataString(r, "type", "read " + keyPath);
    if (!AEAD_TYPES.contains(type)) {
      throw new BackendUnavailableException(
          NAME,
          "Transit key "
              + keyPath
              + " has type "
              + type
              + ", which does not bind associated data; use one of "
              + AEAD_TYPES,
          null);
    }
    keyVerified = true;
  }

  private BaoHttp.Answer post(String api, byte[] body) throws KeystoreException {
    return conn.call("POST", api, null, body, null, "POST " + api);
  }

  private BaoHttp.Answer get(String api) throws KeystoreException {
    return conn.call("GET", api, null, null, null, "GET " + api);
  }

  /**
   * @return {@code data.<field>} of a 200 answer as a string, "" when absent; a typed error when it
   *     is not JSON
   */
  private static String dataString(BaoHttp.Answer r, String field, String what)
      throws KeystoreException {
    try {
      JsonObject data = BaoJson.child(BaoJson.object(r.body), "data");
      return BaoJson.string(data, field, "");
    } catch (RuntimeException e) {
      throw new BackendUnavailableException(NAME, what + " returned an unexpected answer", null);
    }
  }
}
