package org.openkcm.keystore.core.internal.crypto;

import java.util.Arrays;
import javax.crypto.SecretKey;

/**
 * An AES key over a byte array this class owns and can zeroize, unlike {@code SecretKeySpec}, whose
 * copy cannot be wiped on Java 17. Never prints its bytes.
 */
final class AesKey implements SecretKey {
  private static final long serialVersionUID = 1L;
  private final byte[] bytes;
  private volatile boolean destroyed;

  /** Copies {@code material}; the caller still owns (and zeroizes) its array. */
  AesKey(byte[] material) {
    this.bytes = material.clone();
  }

  @Override
  public String getAlgorithm() {
    return "AES";
  }

  @Override
  public String getFormat() {
    return "RAW";
  }

  /**
   * @return a copy, as the contract requires. The JDK's GCM keeps that copy as its "last key" until
   *     the cipher is initialised again (documented in docs/crypto.md)
   */
  @Override
  public byte[] getEncoded() {
    if (destroyed) {
      throw new IllegalStateException("key destroyed");
    }
    return bytes.clone();
  }

  @Override
  public void destroy() {
    destroyed = true;
    Arrays.fill(bytes, (byte) 0);
  }

  @Override
  public boolean isDestroyed() {
    return destroyed;
  }

  @Override
  public String toString() {
    return "AesKey[" + bytes.length * 8 + " bits]";
  }
}
