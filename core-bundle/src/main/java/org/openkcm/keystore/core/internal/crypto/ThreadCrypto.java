package org.openkcm.keystore.core.internal.crypto;

import java.lang.ref.Reference;
import java.lang.ref.WeakReference;
import java.security.DrbgParameters;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.NoSuchProviderException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Per-thread crypto objects. {@code Cipher.getInstance} costs ~2.6 µs and ~4 KB of garbage per
 * call, and a shared {@link SecureRandom} contends at two threads (measured by the JMH set in
 * benchmarks), so each thread keeps its own.
 *
 * <p>Two ciphers per thread on purpose: the JDK's AES keeps the expanded key of the last key it
 * saw, so keeping wrapping keys (parents, mostly the same few) apart from one-shot DEKs (new every
 * call) lets the wrapping cipher skip key setup on nearly every call.
 */
public final class ThreadCrypto {
  static final String GCM = "AES/GCM/NoPadding";

  private static final ThreadLocal<SecureRandom> RANDOM =
      ThreadLocal.withInitial(ThreadCrypto::newDrbg);
  private static final ThreadLocal<Ciphers> CIPHERS =
      ThreadLocal.withInitial(ThreadCrypto::register);

  /**
   * Every thread's cipher pair, weakly (a dead thread's pair goes with it), so that {@link
   * #scrub()} reaches them.
   */
  private static final Set<Reference<Ciphers>> ALL = ConcurrentHashMap.newKeySet();

  /**
   * One thread's two ciphers; used under its own monitor so that another thread may re-key them.
   */
  static final class Ciphers {
    final Cipher dek = newGcm();
    final Cipher kek = newGcm();
    private final Reference<Ciphers> self = new WeakReference<>(this);
  }

  private ThreadCrypto() {}

  /**
   * @return this thread's DRBG (NIST SP 800-90A, 256-bit strength, reseeded by the JDK)
   */
  public static SecureRandom random() {
    return RANDOM.get();
  }

  /**
   * @return fresh random bytes from this thread's DRBG
   */
  public static byte[] randomBytes(int length) {
    byte[] b = new byte[length];
    RANDOM.get().nextBytes(b);
    return b;
  }

  /**
   * @return this thread's ciphers: {@code dek} for keys used once, {@code kek} for wrapping keys;
   *     lock it while used
   */
  static Ciphers ciphers() {
    return CIPHERS.get();
  }

  private static Ciphers register() {
    Ciphers c = new Ciphers();
    ALL.add(c.self);
    return c;
  }

  /**
   * Re-keys every thread's ciphers with a throwaway random key, so that none still holds (as its
   * last key and expanded key schedule) the material of a key just destroyed. Called on every
   * destroy; waits for a cipher in use to finish its operation.
   *
   * @return how many ciphers were re-keyed
   */
  public static int scrub() {
    byte[] junk = randomBytes(AesGcm.KEY_BYTES);
    byte[] iv = randomBytes(AesGcm.IV_BYTES);
    AesKey k = new AesKey(junk);
    Arrays.fill(junk, (byte) 0);
    int n = 0;
    try {
      for (Reference<Ciphers> r : ALL) {
        Ciphers c = r.get();
        if (c == null) {
          ALL.remove(r);
          continue;
        }
        synchronized (c) {
          rekey(c.dek, k, iv);
          rekey(c.kek, k, iv);
        }
        n += 2;
      }
    } finally {
      k.destroy();
    }
    return n;
  }

  private static void rekey(Cipher c, AesKey k, byte[] iv) {
    try {
      c.init(Cipher.ENCRYPT_MODE, k, new GCMParameterSpec(AesGcm.TAG_BYTES * 8, iv));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM re-key failed: " + e.getClass().getSimpleName(), e);
    }
  }

  private static SecureRandom newDrbg() {
    try {
      return SecureRandom.getInstance(
          "DRBG", DrbgParameters.instantiation(256, DrbgParameters.Capability.RESEED_ONLY, null));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK offers no DRBG SecureRandom", e);
    }
  }

  /**
   * Prefers the JDK's SunJCE (AES-NI intrinsics, 4-5x BouncyCastle's speed for GCM), else any
   * provider.
   */
  private static Cipher newGcm() {
    try {
      try {
        return Cipher.getInstance(GCM, "SunJCE");
      } catch (NoSuchProviderException e) {
        return Cipher.getInstance(GCM);
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no AES/GCM cipher available", e);
    }
  }
}
