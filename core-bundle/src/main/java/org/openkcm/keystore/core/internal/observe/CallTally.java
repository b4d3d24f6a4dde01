package org.openkcm.keystore.core.internal.observe;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * Exact call counts per door operation ({@link DoorSite}) with no atomic instruction on the hot
 * path: each thread counts in cells of its own, which only it writes (opaque stores) and a reader
 * sums (opaque loads); the cells of a thread that ended are folded into a total and dropped. Each
 * thread also keeps its sampling countdown per operation here, so sampling is exact per thread and
 * shares no written memory between threads.
 */
final class CallTally {
  static final int SUCCEEDED = 0;
  static final int FAILED = 1;
  static final int REFUSED = 2;
  private static final int COUNTDOWN = 3;
  private static final int SLOTS = 4;
  private static final VarHandle CELL = MethodHandles.arrayElementVarHandle(long[].class);

  private final ThreadLocal<long[]> mine = ThreadLocal.withInitial(this::enlist);
  private final List<Cells> threads = new ArrayList<>();
  private long[] retired = new long[0];
  private int sites;

  /** One thread's cells. */
  private static final class Cells {
    final WeakReference<Thread> owner = new WeakReference<>(Thread.currentThread());
    volatile long[] values;

    Cells(int sites) {
      values = new long[sites * SLOTS];
    }

    boolean ended() {
      Thread t = owner.get();
      return t == null || !t.isAlive();
    }
  }

  /**
   * @return the next site's index
   */
  synchronized int newSite() {
    return sites++;
  }

  /**
   * @return this thread's cells, holding at least {@code site}
   */
  long[] cells(int site) {
    long[] v = mine.get();
    return site * SLOTS < v.length ? v : grow();
  }

  /** A site was added after this thread enlisted: its cells grow (only it writes them). */
  private synchronized long[] grow() {
    for (Cells c : threads) {
      if (c.owner.get() == Thread.currentThread()) {
        long[] bigger = Arrays.copyOf(c.values, sites * SLOTS);
        c.values = bigger;
        mine.set(bigger);
        return bigger;
      }
    }
    throw new IllegalStateException("this thread's cells are not enlisted");
  }

  /** Counts one call of {@code site} as {@code outcome} in this thread's {@code cells}. */
  static void count(long[] cells, int site, int outcome) {
    int i = site * SLOTS + outcome;
    CELL.setOpaque(cells, i, (long) CELL.getOpaque(cells, i) + 1);
  }

  /**
   * @return true for this thread's first call of {@code site} and then once every {@code period}
   *     calls
   */
  static boolean sampleNow(long[] cells, int site, int period) {
    int i = site * SLOTS + COUNTDOWN;
    long left = cells[i] - 1;
    if (left > 0) {
      cells[i] = left;
      return false;
    }
    cells[i] = period;
    return true;
  }

  private synchronized long[] enlist() {
    sweep();
    Cells c = new Cells(sites);
    threads.add(c);
    return c.values;
  }

  /** Folds the cells of threads that ended into {@link #retired}. */
  private void sweep() {
    for (Iterator<Cells> it = threads.iterator(); it.hasNext(); ) {
      Cells c = it.next();
      if (c.ended()) {
        long[] v = c.values;
        if (retired.length < v.length) {
          retired = Arrays.copyOf(retired, v.length);
        }
        for (int i = 0; i < v.length; i++) {
          if (i % SLOTS != COUNTDOWN) {
            retired[i] += (long) CELL.getOpaque(v, i);
          }
        }
        it.remove();
      }
    }
  }

  /**
   * @return every site's counts summed over all threads: {@code [site][SUCCEEDED|FAILED|REFUSED]}
   */
  synchronized long[][] totals() {
    sweep();
    long[][] t = new long[sites][SLOTS - 1];
    add(t, retired);
    for (Cells c : threads) {
      add(t, c.values);
    }
    return t;
  }

  private static void add(long[][] totals, long[] values) {
    for (int s = 0; s < totals.length && s * SLOTS < values.length; s++) {
      for (int k = 0; k < SLOTS - 1; k++) {
        totals[s][k] += (long) CELL.getOpaque(values, s * SLOTS + k);
      }
    }
  }
}
