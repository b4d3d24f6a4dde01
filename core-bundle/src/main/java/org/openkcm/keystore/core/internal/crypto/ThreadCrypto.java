package org.openkcm.keystore.core.internal.crypto;

import java.security.DrbgParameters;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.NoSuchProviderException;
import java.security.SecureRandom;
import javax.crypto.Cipher;

/**
 * Per-thread crypto objects. {@code Cipher.getInstance} costs ~2.6 µs and ~4 KB of garbage per call, and
 * a shared {@link SecureRandom} contends at two threads (see PERF-FLOOR), so each thread keeps its own.
 *
 * <p>Two ciphers per thread on purpose: the JDK's AES keeps the expanded key of the last key it saw, so
 * keeping wrapping keys (parents, mostly the same few) apart from one-shot DEKs (new every call) lets the
 * wrapping cipher skip key setup on nearly every call.
 */
public final class ThreadCrypto {
    static final String GCM = "AES/GCM/NoPadding";

    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(ThreadCrypto::newDrbg);
    private static final ThreadLocal<Cipher> DEK_CIPHER = ThreadLocal.withInitial(ThreadCrypto::newGcm);
    private static final ThreadLocal<Cipher> KEK_CIPHER = ThreadLocal.withInitial(ThreadCrypto::newGcm);

    private ThreadCrypto() {
    }

    /** @return this thread's DRBG (NIST SP 800-90A, 256-bit strength, reseeded by the JDK) */
    public static SecureRandom random() {
        return RANDOM.get();
    }

    /** @return fresh random bytes from this thread's DRBG */
    public static byte[] randomBytes(int length) {
        byte[] b = new byte[length];
        RANDOM.get().nextBytes(b);
        return b;
    }

    /** @return this thread's AES-GCM cipher for keys used once (DEKs, caller data keys) */
    static Cipher dekCipher() {
        return DEK_CIPHER.get();
    }

    /** @return this thread's AES-GCM cipher for wrapping keys (parents, master key) */
    static Cipher kekCipher() {
        return KEK_CIPHER.get();
    }

    private static SecureRandom newDrbg() {
        try {
            return SecureRandom.getInstance("DRBG",
                    DrbgParameters.instantiation(256, DrbgParameters.Capability.RESEED_ONLY, null));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK offers no DRBG SecureRandom", e);
        }
    }

    /** Prefers the JDK's SunJCE (AES-NI intrinsics, 4-5x BouncyCastle's speed for GCM), else any provider. */
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
