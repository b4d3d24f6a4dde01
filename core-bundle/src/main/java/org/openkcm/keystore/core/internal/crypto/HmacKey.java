package org.openkcm.keystore.core.internal.crypto;

import java.util.Arrays;
import javax.crypto.SecretKey;

/**
 * An HMAC-SHA256 key over a byte array this class owns and zeroizes (unlike {@code SecretKeySpec}).
 */
final class HmacKey implements SecretKey {
  private static final long serialVersionUID = 1L;
  private final byte[] bytes;
  private volatile boolean destroyed;

  /** Copies {@code key}; the caller still owns its array. */
  HmacKey(byte[] key) {
    this.bytes = key.clone();
  }

  @Override
  public String getAlgorithm() {
    return Hkdf.HMAC;
  }

  @Override
  public String getFormat() {
    return "RAW";
  }

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
    return "HmacKey[" + bytes.length * 8 + " bits]";
  }
}
