package org.openkcm.keystore.core.internal.observe;

import java.time.Instant;

/**
 * Wall-clock time from the monotonic clock: an event is timed with one {@link System#nanoTime}
 * read, and its start time derived from it against a base that is taken again from the wall clock
 * at least every second (so the times follow the system clock's adjustments within a second).
 */
final class WallClock {
  private static final long RESYNC_NANOS = 1_000_000_000L;

  private record Base(long nanoTime, long epochNanos) {}

  private volatile Base base = sync();

  private static Base sync() {
    Instant now = Instant.now();
    return new Base(System.nanoTime(), now.getEpochSecond() * 1_000_000_000L + now.getNano());
  }

  /**
   * @return the wall-clock time at which {@link System#nanoTime} read {@code nanoTime}
   */
  Instant at(long nanoTime) {
    Base b = base;
    if (nanoTime - b.nanoTime > RESYNC_NANOS) {
      b = sync();
      base = b;
    }
    long epochNanos = b.epochNanos + (nanoTime - b.nanoTime);
    return Instant.ofEpochSecond(
        Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L));
  }
}
