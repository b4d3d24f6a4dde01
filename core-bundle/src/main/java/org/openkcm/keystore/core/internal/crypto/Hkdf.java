package org.openkcm.keystore.core.internal.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;

/** HKDF-SHA256 (RFC 5869) for one 32-byte output block; JDK 17 has no HKDF API. */
final class Hkdf {
  static final String HMAC = "HmacSHA256";
  private static final byte[] SALT = "openkcm-keystore hkdf v1".getBytes(StandardCharsets.US_ASCII);

  private Hkdf() {}

  /**
   * @return OKM = T(1) = HMAC(PRK, info | 0x01), PRK = HMAC(salt, ikm); the caller zeroizes it
   */
  static byte[] derive(byte[] ikm, String info) {
    byte[] prk = null;
    HmacKey saltKey = new HmacKey(SALT);
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(saltKey);
      prk = mac.doFinal(ikm);
      HmacKey prkKey = new HmacKey(prk);
      try {
        mac.init(prkKey);
        mac.update(info.getBytes(StandardCharsets.UTF_8));
        mac.update((byte) 1);
        return mac.doFinal();
      } finally {
        prkKey.destroy();
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 missing from the JDK", e);
    } finally {
      saltKey.destroy();
      if (prk != null) {
        Arrays.fill(prk, (byte) 0);
      }
    }
  }
}
