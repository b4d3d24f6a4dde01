package org.openkcm.keystore.core.internal.cache;

import java.util.Arrays;
import java.util.concurrent.locks.StampedLock;

/**
 * Cached key material, zeroized exactly once when the cache drops it. Readers copy it under an
 * optimistic stamp: a copy that raced with the zeroization fails validation and is discarded
 * (wiped), so no reader ever receives a half- or all-zero key, and readers never block each other.
 */
public final class SecretBytes {
  private final byte[] bytes;
  private final StampedLock lock = new StampedLock();

  /** Takes ownership of {@code owned}: the caller must not use or wipe it afterwards. */
  public SecretBytes(byte[] owned) {
    this.bytes = owned;
  }

  /**
   * @return a copy the caller owns, or {@code null} if the material was destroyed
   */
  public byte[] copy() {
    long stamp = lock.tryOptimisticRead();
    if (stamp == 0) {
      return null;
    }
    byte[] c = bytes.clone();
    if (!lock.validate(stamp)) {
      Arrays.fill(c, (byte) 0);
      return null;
    }
    return c;
  }

  /**
   * Zeroizes; the write lock is never released, so every later {@link #copy()} sees it destroyed.
   */
  public void destroy() {
    // exclusive acquisition invalidates every optimistic stamp handed out before the wipe
    lock.tryWriteLock();
    Arrays.fill(bytes, (byte) 0);
  }

  public boolean destroyed() {
    return lock.isWriteLocked();
  }

  @Override
  public String toString() {
    return "SecretBytes[" + bytes.length + " bytes" + (destroyed() ? ", destroyed" : "") + "]";
  }
}
