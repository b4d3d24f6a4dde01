package org.openkcm.keystore.benchmarks;

import java.security.DrbgParameters;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The bare crypto an L4 create and an uncached open cannot avoid, done directly with the JDK and
 * the same per-thread objects the core uses: the same random bytes (material, DEK + two IVs, id),
 * AES-256-GCM of the material under a new DEK, AES-256-GCM of the DEK under the parent, with an
 * identity-sized aad.
 */
final class CryptoFloor {
  static final int SEALED = 6 + 12 + 32 + 16 + 12 + 32 + 16;
  private static final ThreadLocal<SecureRandom> RANDOM =
      ThreadLocal.withInitial(CryptoFloor::drbg);
  private static final ThreadLocal<Cipher> DEK = ThreadLocal.withInitial(CryptoFloor::gcm);
  private static final ThreadLocal<Cipher> KEK = ThreadLocal.withInitial(CryptoFloor::gcm);
  private static final ThreadLocal<byte[]> IV = ThreadLocal.withInitial(() -> new byte[12]);

  /** As long as the core's identity aad of a generated L4 id (about 90 bytes). */
  static final byte[] AAD = new byte[90];

  private CryptoFloor() {}

  /**
   * @return id bytes and the sealed blob, as the core would produce them
   */
  static byte[] seal(SecretKeySpec parent, byte[] idOut) throws GeneralSecurityException {
    SecureRandom r = RANDOM.get();
    byte[] material = new byte[32];
    r.nextBytes(material);
    byte[] rnd = new byte[56];
    r.nextBytes(rnd);
    r.nextBytes(idOut);
    byte[] out = new byte[SEALED];
    Cipher kek = KEK.get();
    kek.init(Cipher.ENCRYPT_MODE, parent, new GCMParameterSpec(128, rnd, 32, 12));
    kek.updateAAD(AAD);
    kek.doFinal(rnd, 0, 32, out, 18);
    Cipher dek = DEK.get();
    dek.init(
        Cipher.ENCRYPT_MODE,
        new SecretKeySpec(rnd, 0, 32, "AES"),
        new GCMParameterSpec(128, rnd, 44, 12));
    dek.updateAAD(AAD);
    dek.doFinal(material, 0, 32, out, 78);
    System.arraycopy(rnd, 32, out, 6, 12);
    System.arraycopy(rnd, 44, out, 66, 12);
    return out;
  }

  /**
   * @return the material: unwrap the DEK under the parent, then decrypt under the DEK
   */
  static byte[] open(SecretKeySpec parent, byte[] sealed) throws GeneralSecurityException {
    Cipher kek = KEK.get();
    kek.init(Cipher.DECRYPT_MODE, parent, new GCMParameterSpec(128, sealed, 6, 12));
    kek.updateAAD(AAD);
    byte[] dekBytes = kek.doFinal(sealed, 18, 48);
    Cipher dek = DEK.get();
    dek.init(
        Cipher.DECRYPT_MODE,
        new SecretKeySpec(dekBytes, "AES"),
        new GCMParameterSpec(128, sealed, 66, 12));
    dek.updateAAD(AAD);
    return dek.doFinal(sealed, 78, 48);
  }

  /**
   * @return a fresh 12-byte IV followed by AES-256-GCM of the plaintext under the key
   */
  static byte[] encrypt(SecretKeySpec key, byte[] plaintext, byte[] aad)
      throws GeneralSecurityException {
    byte[] out = new byte[12 + plaintext.length + 16];
    RANDOM.get().nextBytes(IV.get());
    System.arraycopy(IV.get(), 0, out, 0, 12);
    Cipher c = DEK.get();
    c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, out, 0, 12));
    c.updateAAD(aad);
    c.doFinal(plaintext, 0, plaintext.length, out, 12);
    return out;
  }

  /**
   * @return the plaintext of {@link #encrypt}'s output (IV, then ciphertext and tag)
   */
  static byte[] decrypt(SecretKeySpec key, byte[] ivAndCiphertext, byte[] aad)
      throws GeneralSecurityException {
    Cipher c = DEK.get();
    c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, ivAndCiphertext, 0, 12));
    c.updateAAD(aad);
    return c.doFinal(ivAndCiphertext, 12, ivAndCiphertext.length - 12);
  }

  private static SecureRandom drbg() {
    try {
      return SecureRandom.getInstance(
          "DRBG", DrbgParameters.instantiation(256, DrbgParameters.Capability.RESEED_ONLY, null));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Cipher gcm() {
    try {
      return Cipher.getInstance("AES/GCM/NoPadding", "SunJCE");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
