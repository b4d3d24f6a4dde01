package org.openkcm.keystore.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A closed-loop load driver: N caller threads each run one operation back to back for a warm-up and
 * then a measured window; every measured call's latency is kept, so p95 is exact, not estimated.
 * Bounded in time; only talks to what the operation talks to (here the loopback bao server).
 */
final class LoadDriver {
  /** One operation as a caller sees it. */
  @FunctionalInterface
  interface Op {
    void run(int caller, long n) throws Exception;
  }

  /** What one level of concurrency achieved. */
  record Result(
      String op,
      int callers,
      long calls,
      long errors,
      double opsPerSecond,
      double p50Ms,
      double p95Ms,
      double p99Ms,
      String firstError) {}

  private final long warmupNanos;
  private final long measureNanos;

  LoadDriver(long warmupMillis, long measureMillis) {
    this.warmupNanos = TimeUnit.MILLISECONDS.toNanos(warmupMillis);
    this.measureNanos = TimeUnit.MILLISECONDS.toNanos(measureMillis);
  }

  Result run(String name, int callers, Op op) throws InterruptedException {
    Sample s = sample(name, callers, op, warmupNanos, measureNanos);
    return s.result(name, callers);
  }

  /**
   * Two operations at the same concurrency in alternating rounds (A B, B A, ...), each round a
   * {@code rounds}-th of the measured window: load from elsewhere on the machine that comes and
   * goes during the run then weighs on both alike, so their ratio holds where back-to-back phases
   * do not. One warm-up of each first.
   *
   * @return A's result, B's result
   */
  Result[] alternate(String nameA, Op a, String nameB, Op b, int callers, int rounds)
      throws InterruptedException {
    sample(nameA, callers, a, 0, warmupNanos / 2);
    sample(nameB, callers, b, 0, warmupNanos / 2);
    Sample sa = new Sample();
    Sample sb = new Sample();
    long slice = measureNanos / rounds;
    for (int r = 0; r < rounds; r++) {
      if (r % 2 == 0) {
        sa.add(sample(nameA, callers, a, 0, slice));
        sb.add(sample(nameB, callers, b, 0, slice));
      } else {
        sb.add(sample(nameB, callers, b, 0, slice));
        sa.add(sample(nameA, callers, a, 0, slice));
      }
    }
    return new Result[] {sa.result(nameA, callers), sb.result(nameB, callers)};
  }

  /** Latencies and errors of measured windows, merged. */
  private static final class Sample {
    long[] latencies = new long[0];
    long errors;
    String firstError;
    long measuredNanos;

    void add(Sample other) {
      long[] merged = Arrays.copyOf(latencies, latencies.length + other.latencies.length);
      System.arraycopy(other.latencies, 0, merged, latencies.length, other.latencies.length);
      latencies = merged;
      errors += other.errors;
      if (firstError == null) {
        firstError = other.firstError;
      }
      measuredNanos += other.measuredNanos;
    }

    Result result(String name, int callers) {
      long[] all = latencies.clone();
      Arrays.sort(all);
      return new Result(
          name,
          callers,
          all.length,
          errors,
          all.length / (measuredNanos / 1e9),
          pct(all, 0.50),
          pct(all, 0.95),
          pct(all, 0.99),
          firstError);
    }
  }

  private static Sample sample(String name, int callers, Op op, long warmupNanos, long measureNanos)
      throws InterruptedException {
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
    long measureFrom = start + warmupNanos;
    long end = measureFrom + measureNanos;
    List<long[]> latencies = new ArrayList<>();
    long[] counts = new long[callers];
    AtomicLong errors = new AtomicLong();
    String[] firstError = new String[1];
    CountDownLatch done = new CountDownLatch(callers);
    for (int c = 0; c < callers; c++) {
      long[][] mine = {new long[4096]};
      int caller = c;
      Thread t =
          new Thread(
              () -> {
                try {
                  counts[caller] =
                      loop(caller, op, start, measureFrom, end, mine, errors, firstError);
                } finally {
                  synchronized (latencies) {
                    latencies.add(Arrays.copyOf(mine[0], (int) counts[caller]));
                  }
                  done.countDown();
                }
              },
              "load-" + name + "-" + c);
      t.setDaemon(true);
      t.start();
    }
    // every call has a deadline in the core (5 s), so the callers finish soon after the window
    if (!done.await(
        measureNanos + warmupNanos + TimeUnit.SECONDS.toNanos(30), TimeUnit.NANOSECONDS)) {
      throw new IllegalStateException(name + ": callers did not finish");
    }
    Sample s = new Sample();
    s.latencies = latencies.stream().flatMapToLong(Arrays::stream).toArray();
    s.errors = errors.get();
    s.firstError = firstError[0];
    s.measuredNanos = measureNanos;
    return s;
  }

  /**
   * @return how many calls completed successfully inside the measured window
   */
  private static long loop(
      int caller,
      Op op,
      long start,
      long measureFrom,
      long end,
      long[][] lat,
      AtomicLong errors,
      String[] firstError) {
    while (System.nanoTime() < start) {
      Thread.onSpinWait();
    }
    int n = 0;
    for (long i = 0; ; i++) {
      long t0 = System.nanoTime();
      if (t0 >= end) {
        return n;
      }
      try {
        op.run(caller, i);
      } catch (Exception e) {
        if (t0 >= measureFrom && errors.getAndIncrement() == 0) {
          // the type and message only: the core's messages never carry key material
          firstError[0] = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        continue;
      }
      long t1 = System.nanoTime();
      if (t0 >= measureFrom && t1 <= end) {
        if (n == lat[0].length) {
          lat[0] = Arrays.copyOf(lat[0], n * 2);
        }
        lat[0][n++] = t1 - t0;
      }
    }
  }

  private static double pct(long[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int idx = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, idx))] / 1e6;
  }
}
