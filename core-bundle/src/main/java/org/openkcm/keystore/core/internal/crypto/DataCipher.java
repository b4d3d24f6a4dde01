package org.openkcm.keystore.core.internal.crypto;

import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import org.openkcm.keystore.model.IntegrityException;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyRef;

/**
 * Caller data under an opened key: {@code u8 format (1) | i32 key version | 12-byte IV | ciphertext
 * | tag}, AES-256-GCM with the five header bytes and the caller's aad as associated data. The key
 * version in the header lets a decrypt find the version that encrypted, given only the key id.
 */
public final class DataCipher {
  static final byte FORMAT = 1;
  static final int HEADER = 5;

  private DataCipher() {}

  public static byte[] encrypt(byte[] key, int keyVersion, byte[] plaintext, byte[] aad) {
    byte[] iv = ThreadCrypto.randomBytes(AesGcm.IV_BYTES);
    byte[] out = new byte[HEADER + AesGcm.IV_BYTES + plaintext.length + AesGcm.TAG_BYTES];
    out[0] = FORMAT;
    IdentityAad.putInt(out, 1, keyVersion);
    System.arraycopy(iv, 0, out, HEADER, AesGcm.IV_BYTES);
    AesGcm.encrypt(
        key,
        true,
        iv,
        plaintext,
        0,
        plaintext.length,
        out,
        HEADER + AesGcm.IV_BYTES,
        Arrays.copyOf(out, HEADER),
        aad == null ? new byte[0] : aad);
    return out;
  }

  /**
   * @return the key version named in a ciphertext's header
   */
  public static int keyVersion(byte[] ciphertext) throws InvalidKeyRequestException {
    if (ciphertext == null
        || ciphertext.length < HEADER + AesGcm.IV_BYTES + AesGcm.TAG_BYTES
        || ciphertext[0] != FORMAT) {
      throw new InvalidKeyRequestException(
          "ciphertext",
          "is not a ciphertext of this keystore (format "
              + FORMAT
              + ", at least "
              + (HEADER + AesGcm.IV_BYTES + AesGcm.TAG_BYTES)
              + " bytes)");
    }
    return IdentityAad.getInt(ciphertext, 1);
  }

  /**
   * @throws IntegrityException if the ciphertext or aad was altered, or another key encrypted it
   */
  public static byte[] decrypt(byte[] key, KeyRef ref, byte[] ciphertext, byte[] aad)
      throws InvalidKeyRequestException, IntegrityException {
    int version = keyVersion(ciphertext);
    if (version != ref.version()) {
      throw new InvalidKeyRequestException(
          "ciphertext", "was made by version " + version + ", not by " + ref);
    }
    byte[] iv = Arrays.copyOfRange(ciphertext, HEADER, HEADER + AesGcm.IV_BYTES);
    int at = HEADER + AesGcm.IV_BYTES;
    try {
      return AesGcm.decrypt(
          key,
          true,
          iv,
          ciphertext,
          at,
          ciphertext.length - at,
          Arrays.copyOf(ciphertext, HEADER),
          aad == null ? new byte[0] : aad);
    } catch (AEADBadTagException e) {
      throw new IntegrityException(
          ref,
          null,
          "ciphertext for key " + ref + " failed authentication (altered, other key or other aad)");
    }
  }
}
