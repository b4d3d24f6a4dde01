package org.openkcm.keystore.webconsole.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import org.openkcm.keystore.api.KeyHandle;
import org.openkcm.keystore.api.KeyService;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeystoreException;

/**
 * The key check value the shell's {@code keystore:get} prints: the first 3 bytes of SHA-256 over a
 * domain label and the material, enough to compare two copies of a key, useless to recover it. The
 * material is held only for the hash and zeroized; versions that may not be opened show why.
 */
final class KeyCheckValue {
  private static final byte[] DOMAIN = "OpenKCM-KCV-v1\0".getBytes(StandardCharsets.US_ASCII);

  private KeyCheckValue() {}

  static String of(KeyService keys, KeyMetadata m) {
    if (!m.status().mayProcess()) {
      return "none (" + m.status() + ")";
    }
    KeyRef ref = m.ref();
    try (KeyHandle h = keys.open(ref)) {
      byte[] material = h.copyMaterial();
      try {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        d.update(DOMAIN);
        byte[] digest = d.digest(material);
        return HexFormat.of().formatHex(digest, 0, 3);
      } finally {
        Arrays.fill(material, (byte) 0);
      }
    } catch (KeystoreException e) {
      return "not available: " + e.getClass().getSimpleName().replace("Exception", "");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JDK", e);
    }
  }
}
