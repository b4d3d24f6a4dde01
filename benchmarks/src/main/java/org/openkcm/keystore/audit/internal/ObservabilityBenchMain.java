package org.openkcm.keystore.audit.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;
import org.openkcm.keystore.api.KeyHandle;
import org.openkcm.keystore.api.KeyService;
import org.openkcm.keystore.benchmarks.ObservedBenchCore;
import org.openkcm.keystore.core.internal.observe.Observers;
import org.openkcm.keystore.metrics.internal.MetricsBench;
import org.openkcm.keystore.model.KeyMetadata;

/**
 * The audit trail's and the metrics' cost, each against a baseline measured in the same run, in
 * alternating rounds: L4 create through the audited door (durable, fsync'ed trail on disk) vs the
 * bare core, at 1 and 8 threads; a cached L4 open through the door with the metrics observer vs the
 * bare core, 1 thread. Prints RESULT lines (ratios: time per operation, on / off).
 */
public final class ObservabilityBenchMain {
  private static final int ROUNDS = 4;
  private static final long ROUND_MILLIS = 1500;

  private ObservabilityBenchMain() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "benchmarks/target/audit-bench");
    Files.createDirectories(dir);
    try (ObservedBenchCore core = new ObservedBenchCore()) {
      FileAuditSink sink =
          new FileAuditSink(
              dir.resolve("bench-audit.log"),
              () -> core.root.deriveKey(ChainMac.LABEL),
              64L * 1024 * 1024,
              2,
              10_000);
      KeyService audited = core.door(Observers.of(new AuditTrail(false, sink)));
      for (int threads : new int[] {1, 8}) {
        double fsyncBefore = FsyncProbe.micros(dir);
        long commits0 = sink.commits();
        long entries0 = sink.committed();
        long nanos0 = sink.flushNanos();
        double[] r =
            alternate(
                threads,
                () -> core.service.create(core.l4Request),
                () -> audited.create(core.l4Request));
        long flushes = sink.commits() - commits0;
        long entries = sink.committed() - entries0;
        double flushMicros = (sink.flushNanos() - nanos0) / 1e3 / Math.max(1, flushes);
        System.out.printf(
            "create L4, %d thread(s): off %.0f ops/s, audit on %.0f ops/s; %d entries in %d"
                + " flushes, mean batch %.2f entries per flush%n",
            threads, r[0], r[1], entries, flushes, entries / (double) Math.max(1, flushes));
        double fsyncAfter = FsyncProbe.micros(dir);
        double fsyncMicros = Math.min(fsyncBefore, fsyncAfter);
        System.out.printf(
            "fsync probe (300-byte overwrite in a preallocated file + force(false), median of %d):"
                + " %.0f µs before, %.0f µs after these rounds%n",
            FsyncProbe.SAMPLES, fsyncBefore, fsyncAfter);
        double bound = threads / (fsyncMicros / 1e6);
        System.out.printf(
            "bound: %d callers / %.0f µs = %.0f ops/s, i.e. ratio >= %.3f%n",
            threads, fsyncMicros, bound, Math.max(1, r[0] / bound));
        double inRun = threads / (flushMicros / 1e6);
        System.out.printf(
            "in the rounds a flush (write + fdatasync) took %.0f µs on average: %d callers / %.0f"
                + " µs = %.0f ops/s, i.e. ratio >= %.3f%n",
            flushMicros, threads, flushMicros, inRun, Math.max(1, r[0] / inRun));
        System.out.printf("RESULT audit_create_l4_overhead_%d %.3f%n", threads, r[0] / r[1]);
      }
      sink.close();

      KeyMetadata l4 = core.service.create(core.l4Request);
      KeyService metered = core.door(Observers.of(MetricsBench.observer()));
      double[] open =
          alternate(
              1,
              () -> {
                try (KeyHandle h = core.service.open(l4.ref())) {
                  return h;
                }
              },
              () -> {
                try (KeyHandle h = metered.open(l4.ref())) {
                  return h;
                }
              });
      KeyService bareDoor = core.door(Observers.of());
      double[] door =
          alternate(
              1,
              () -> {
                try (KeyHandle h = bareDoor.open(l4.ref())) {
                  return h;
                }
              },
              () -> {
                try (KeyHandle h = metered.open(l4.ref())) {
                  return h;
                }
              });
      System.out.printf(
          "cached open L4, 1 thread: bare core %.0f ops/s, door + metrics %.0f ops/s; door without"
              + " observers %.0f ops/s, door + metrics %.0f ops/s%n",
          open[0], open[1], door[0], door[1]);
      System.out.printf(
          "door + metrics vs door alone (the observer's own cost): %.3f%n", door[0] / door[1]);
      System.out.printf("RESULT metrics_cached_open_overhead_1 %.3f%n", open[0] / open[1]);
    }
  }

  /** One operation of a round. */
  interface Op {
    Object run() throws Exception;
  }

  /**
   * @return median throughput (ops/s) of the off rounds and of the on rounds, alternated
   */
  static double[] alternate(int threads, Op off, Op on) throws Exception {
    run(threads, off, 500);
    run(threads, on, 500);
    double[] offs = new double[ROUNDS];
    double[] ons = new double[ROUNDS];
    for (int i = 0; i < ROUNDS; i++) {
      boolean offFirst = i % 2 == 0;
      double a = run(threads, offFirst ? off : on, ROUND_MILLIS);
      double b = run(threads, offFirst ? on : off, ROUND_MILLIS);
      offs[i] = offFirst ? a : b;
      ons[i] = offFirst ? b : a;
    }
    Arrays.sort(offs);
    Arrays.sort(ons);
    return new double[] {(offs[1] + offs[2]) / 2, (ons[1] + ons[2]) / 2};
  }

  private static double run(int threads, Op op, long millis) throws Exception {
    LongAdder done = new LongAdder();
    CountDownLatch start = new CountDownLatch(1);
    Thread[] ts = new Thread[threads];
    long[] end = new long[1];
    for (int t = 0; t < threads; t++) {
      ts[t] =
          new Thread(
              () -> {
                try {
                  start.await();
                  while (System.nanoTime() < end[0]) {
                    op.run();
                    done.increment();
                  }
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      ts[t].start();
    }
    long t0 = System.nanoTime();
    end[0] = t0 + millis * 1_000_000;
    start.countDown();
    for (Thread t : ts) {
      t.join();
    }
    return done.sum() / ((System.nanoTime() - t0) / 1e9);
  }
}
