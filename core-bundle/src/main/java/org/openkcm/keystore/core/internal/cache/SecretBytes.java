package org.openkcm.keystore.core.internal.cache;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * Cached key material, zeroized exactly once when the cache drops it. Readers copy it under an
 * optimistic check: a copy that raced with the zeroization fails validation and is discarded
 * (wiped), so no reader ever receives a half- or all-zero key, and readers never block each other.
 *
 * <p>The check is the one {@link java.util.concurrent.locks.StampedLock}'s optimistic read makes (a
 * volatile read of the state, the copy, a load fence, the state read again; the writer changes the
 * state with a CAS before it wipes), kept in this object's own field: a {@code StampedLock} per
 * cache entry and per handle was one more allocation (and cache line) on every cached open.
 */
public class SecretBytes {
  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(SecretBytes.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static final int LIVE = 0;
  private static final int DESTROYED = 1;

  private final byte[] bytes;

  /** {@value #LIVE} until destroyed; written once, by CAS, before the wipe. */
  @SuppressWarnings("unused") // through STATE
  private volatile int state = LIVE;

  /** Takes ownership of {@code owned}: the caller must not use or wipe it afterwards. */
  public SecretBytes(byte[] owned) {
    this.bytes = owned;
  }

  /**
   * @return a copy the caller owns, or {@code null} if the material was destroyed
   */
  public final byte[] copy() {
    if (state != LIVE) {
      return null;
    }
    byte[] c = bytes.clone();
    VarHandle.acquireFence(); // the copy's reads happen before the state is read again
    if (state != LIVE) {
      Arrays.fill(c, (byte) 0);
      return null;
    }
    return c;
  }

  /** Zeroizes; every later {@link #copy()}, and every copy that overlapped the wipe, fails. */
  public final void destroy() {
    // the CAS (a full fence) orders the state change before the wipe's writes
    if (STATE.compareAndSet(this, LIVE, DESTROYED)) {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  public final boolean destroyed() {
    return state != LIVE;
  }

  @Override
  public String toString() {
    return "SecretBytes[" + bytes.length + " bytes" + (destroyed() ? ", destroyed" : "") + "]";
  }
}
