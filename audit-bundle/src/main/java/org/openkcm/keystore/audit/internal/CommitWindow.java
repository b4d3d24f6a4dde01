package org.openkcm.keystore.audit.internal;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How many entries the writer gathers before a flush (group commit with a commit delay). Callers
 * wait for their own entry, so those released by one flush come back together with the next
 * operation while the others are already queued; flushing at the first arrival would split them in
 * two groups, each paying a full fsync. The writer therefore waits for the callers of the last
 * flush that have not come back yet, but never longer than half the measured fsync and never when
 * only one caller is active.
 */
final class CommitWindow {
  private static final long MAX_WAIT_NANOS = 2_000_000L;

  private Set<Thread> lastFlush = Set.of();
  private long fsyncNanos;

  /**
   * @return the callers expected in this batch: those of the last flush and those queued now
   */
  int expected(List<Thread> callers) {
    Set<Thread> all = new HashSet<>(lastFlush);
    all.addAll(callers);
    return all.size();
  }

  /**
   * @return how long to wait for the expected callers (half the recent fsync latency, bounded)
   */
  long maxWaitNanos() {
    return Math.min(fsyncNanos / 2, MAX_WAIT_NANOS);
  }

  /** Records a flush: its callers and how long writing and syncing took. */
  void flushed(List<Thread> callers, long nanos) {
    lastFlush = new HashSet<>(callers);
    fsyncNanos = fsyncNanos == 0 ? nanos : (fsyncNanos * 7 + nanos) / 8;
  }

  /** A failed flush: nobody of it is expected back soon. */
  void failed() {
    lastFlush = Set.of();
  }
}
