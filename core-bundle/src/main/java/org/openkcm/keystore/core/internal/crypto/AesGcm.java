package org.openkcm.keystore.core.internal.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-256-GCM (96-bit IV, 128-bit tag) with the thread's cached ciphers, writing into caller
 * buffers.
 */
public final class AesGcm {
  public static final int IV_BYTES = 12;
  public static final int TAG_BYTES = 16;
  public static final int KEY_BYTES = 32;

  private AesGcm() {}

  /**
   * Encrypts {@code plain} into {@code out} at {@code outOffset} (ciphertext then tag).
   *
   * @param oneShotKey whether the key is used once (a DEK), which picks the thread's DEK cipher
   * @param aad the associated data parts, fed in order
   * @return bytes written: plain length + {@value #TAG_BYTES}
   */
  static int encrypt(
      byte[] key,
      boolean oneShotKey,
      byte[] iv,
      byte[] plain,
      int plainOffset,
      int plainLength,
      byte[] out,
      int outOffset,
      byte[]... aad) {
    AesKey k = new AesKey(key);
    ThreadCrypto.Ciphers cs = ThreadCrypto.ciphers();
    try {
      synchronized (cs) {
        Cipher c = oneShotKey ? cs.dek : cs.kek;
        c.init(Cipher.ENCRYPT_MODE, k, new GCMParameterSpec(TAG_BYTES * 8, iv));
        for (byte[] a : aad) {
          c.updateAAD(a);
        }
        return c.doFinal(plain, plainOffset, plainLength, out, outOffset);
      }
    } catch (GeneralSecurityException e) {
      // only a broken JDK or a wrong key length gets here, never bad input data
      throw new IllegalStateException(
          "AES-GCM encryption failed: " + e.getClass().getSimpleName(), e);
    } finally {
      k.destroy();
    }
  }

  /**
   * Decrypts ciphertext+tag {@code in[offset..offset+length)}.
   *
   * @return the plaintext; the caller owns (and zeroizes) it
   * @throws AEADBadTagException if the tag does not verify (wrong key, altered data or associated
   *     data)
   */
  static byte[] decrypt(
      byte[] key, boolean oneShotKey, byte[] iv, byte[] in, int offset, int length, byte[]... aad)
      throws AEADBadTagException {
    if (length < TAG_BYTES) {
      throw new AEADBadTagException("ciphertext shorter than its tag");
    }
    AesKey k = new AesKey(key);
    ThreadCrypto.Ciphers cs = ThreadCrypto.ciphers();
    try {
      synchronized (cs) {
        Cipher c = oneShotKey ? cs.dek : cs.kek;
        c.init(Cipher.DECRYPT_MODE, k, new GCMParameterSpec(TAG_BYTES * 8, iv));
        for (byte[] a : aad) {
          c.updateAAD(a);
        }
        byte[] out = new byte[length - TAG_BYTES];
        c.doFinal(in, offset, length, out, 0);
        return out;
      }
    } catch (AEADBadTagException e) {
      throw e;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(
          "AES-GCM decryption failed: " + e.getClass().getSimpleName(), e);
    } finally {
      k.destroy();
    }
  }
}
