package org.openkcm.keystore.core.internal.backend;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The worker pool's limits for calls made on the callers' own threads: at most {@code
 * maxConcurrent} calls in the backend at once, at most {@code maxQueued} callers waiting for one of
 * them (each no longer than its deadline); past that a call is refused at once. So a slow or hung
 * backend ties up no more of the callers' threads than it would tie up workers.
 */
final class Bulkhead {
  private final Semaphore permits;
  private final AtomicInteger waiting = new AtomicInteger();
  final int maxConcurrent;
  final int maxQueued;

  Bulkhead(int maxConcurrent, int maxQueued) {
    this.permits = new Semaphore(maxConcurrent);
    this.maxConcurrent = maxConcurrent;
    this.maxQueued = maxQueued;
  }

  /** What a refused call learns. */
  enum Refusal {
    /** every permit taken and the queue full */
    FULL,
    /** no permit came free before the deadline */
    DEADLINE
  }

  /**
   * @return {@code null} with a permit taken (give it back with {@link #release}), else why not
   */
  Refusal acquire(long deadlineNanos) throws InterruptedException {
    if (permits.tryAcquire()) {
      return null;
    }
    if (waiting.incrementAndGet() > maxQueued) {
      waiting.decrementAndGet();
      return Refusal.FULL;
    }
    try {
      return permits.tryAcquire(
              Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)
          ? null
          : Refusal.DEADLINE;
    } finally {
      waiting.decrementAndGet();
    }
  }

  void release() {
    permits.release();
  }

  int inUse() {
    return maxConcurrent - permits.availablePermits();
  }

  int queued() {
    return waiting.get();
  }
}
