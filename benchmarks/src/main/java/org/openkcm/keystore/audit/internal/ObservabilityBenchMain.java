package org.openkcm.keystore.audit.internal;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
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
 * bare core, 1 thread, timed by the thread's CPU time in short alternating pairs. Prints RESULT
 * lines (ratios: time per operation, on / off).
 */
public final class ObservabilityBenchMain {
  private static final int ROUNDS = 4;
  private static final long ROUND_MILLIS = 1500;

  private ObservabilityBenchMain() {}

  /**
   * @param args the trail's folder; then {@code audit} or {@code metrics} for one part only (each
   *     in a JVM of its own, so that one part's JIT profile of the door does not shape the other's)
   */
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "benchmarks/target/audit-bench");
    String part = args.length > 1 ? args[1] : "";
    Files.createDirectories(dir);
    try (ObservedBenchCore core = new ObservedBenchCore()) {
      if (part.equals("metrics")) {
        metrics(core);
        return;
      }
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
      if (!part.equals("audit")) {
        metrics(core);
      }
    }
  }

  /** The cached L4 open: bare core, door without observers, door with the metrics observer. */
  private static void metrics(ObservedBenchCore core) throws Exception {
    KeyMetadata l4 = core.service.create(core.l4Request);
    KeyService metered = core.door(Observers.of(MetricsBench.observer()));
    KeyService bareDoor = core.door(Observers.of());
    Op bare = () -> openClose(core.service, l4);
    Op doorOnly = () -> openClose(bareDoor, l4);
    Op withMetrics = () -> openClose(metered, l4);
    double[][] r = rotated(bare, doorOnly, withMetrics);
    System.out.printf(
        "cached open L4, 1 thread (median ops per CPU second of the calling thread): bare core"
            + " %.0f, door without observers %.0f, door + metrics %.0f%n",
        r[0][0], r[0][1], r[0][2]);
    System.out.printf("door without observers vs bare core: %.3f%n", r[1][1]);
    System.out.printf(
        "door + metrics vs door alone (the observer's own cost): %.3f%n", r[1][2] / r[1][1]);
    System.out.printf("RESULT metrics_cached_open_overhead_1 %.3f%n", r[1][2]);
  }

  private static Object openClose(KeyService keys, KeyMetadata key) throws Exception {
    try (KeyHandle h = keys.open(key.ref())) {
      return h;
    }
  }

  private static final int ROTATIONS = 30;
  private static final long ROTATION_MILLIS = 150;

  /**
   * One thread runs {@code ops[0]} (the baseline) and the others in {@value #ROTATIONS} rotations
   * of short rounds (the order shifts every rotation), each round timed by the thread's own CPU
   * time, so that other processes on a shared machine (which take the CPU away, not make the code
   * slower) move no side.
   *
   * @return {@code [0]}: each op's median ops per CPU second; {@code [1]}: the median over the
   *     rotations of each op's time per op over the baseline's (1 for the baseline)
   */
  static double[][] rotated(Op... ops) throws Exception {
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    for (int w = 0; w < 4; w++) {
      for (Op op : ops) {
        cpuRound(cpu, op, 500);
      }
    }
    int n = ops.length;
    double[][] rates = new double[n][ROTATIONS];
    double[][] ratios = new double[n][ROTATIONS];
    for (int i = 0; i < ROTATIONS; i++) {
      for (int k = 0; k < n; k++) {
        int j = (i + k) % n;
        rates[j][i] = cpuRound(cpu, ops[j], ROTATION_MILLIS);
      }
      for (int j = 0; j < n; j++) {
        ratios[j][i] = rates[0][i] / rates[j][i];
      }
    }
    double[][] out = new double[2][n];
    for (int j = 0; j < n; j++) {
      Arrays.sort(rates[j]);
      Arrays.sort(ratios[j]);
      out[0][j] = rates[j][ROTATIONS / 2];
      out[1][j] = ratios[j][ROTATIONS / 2];
    }
    return out;
  }

  private static double cpuRound(ThreadMXBean cpu, Op op, long millis) throws Exception {
    long end = System.nanoTime() + millis * 1_000_000;
    long n = 0;
    long c0 = cpu.getCurrentThreadCpuTime();
    do {
      for (int i = 0; i < 1000; i++) {
        op.run();
      }
      n += 1000;
    } while (System.nanoTime() < end);
    return n / ((cpu.getCurrentThreadCpuTime() - c0) / 1e9);
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
