package org.openkcm.keystore.benchmarks;

import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.Result;

/** Prints the OpenBao figures as Markdown tables with their targets marked met or MISSED. */
final class BaoReport {
  private BaoReport() {}

  static void print(
      Map<String, Result<?>> jmh,
      Interleaved.Result ab,
      List<LoadDriver.Result> load,
      String loadAverage) {
    System.out.println();
    System.out.println("| retrieve (1 thread, JMH) | µs/op | ± (99.9%) |");
    System.out.println("| --- | --- | --- |");
    for (Map.Entry<String, Result<?>> e : jmh.entrySet()) {
      System.out.printf(
          "| %s | %,.1f | %,.1f |%n",
          e.getKey(), e.getValue().getScore(), e.getValue().getScoreError());
    }
    Double bare = score(jmh, "bareDriverRead");
    Double off = score(jmh, "coreOpenL3CacheOff");
    Double on = score(jmh, "coreOpenL3CacheOn");
    Double none = score(jmh, "refCoreOpenL3NoCacheAtAll");
    System.out.println();
    System.out.println("| comparison | ratio | target |");
    System.out.println("| --- | --- | --- |");
    if (bare != null && off != null) {
      double overhead = off / bare - 1;
      System.out.printf(
          "| (a) core, L3 cache off / bare client read | %.3f (overhead %+.1f%%) | <= +10%% %s |%n",
          off / bare, overhead * 100, overhead <= 0.10 ? "met" : "MISSED");
    }
    if (bare != null && on != null) {
      double speedup = bare / on;
      System.out.printf(
          "| (b) bare client read / core, cache on (hot keys) | %,.0fx faster | >= 100x %s |%n",
          speedup, speedup >= 100 ? "met" : "MISSED");
    }
    double medianOverhead = ab.coreMedian() / ab.bareMedian() - 1;
    System.out.printf(
        "| (a) interleaved, %,d pairs: core median %.1f µs / bare median %.1f µs | %.3f (overhead %+.1f%%) | <= +10%% %s |%n",
        ab.pairs(),
        ab.coreMedian(),
        ab.bareMedian(),
        ab.coreMedian() / ab.bareMedian(),
        medianOverhead * 100,
        medianOverhead <= 0.10 ? "met" : "MISSED");
    System.out.printf(
        "| (a) interleaved, means: core %.1f µs / bare %.1f µs (p95 %.1f / %.1f µs) | %.3f | (reference) |%n",
        ab.coreMean(), ab.bareMean(), ab.coreP95(), ab.bareP95(), ab.coreMean() / ab.bareMean());
    Double direct = score(jmh, "refBackendRetrieve");
    Double inline = score(jmh, "refCoreOpenL3CacheOffInline");
    if (bare != null && direct != null) {
      System.out.printf(
          "| (ref) OpenBao backend's retrieve alone / bare client read | %.3f | (reference: decoding + error mapping) |%n",
          direct / bare);
    }
    if (bare != null && inline != null) {
      System.out.printf(
          "| (ref) core, L3 cache off, OpenBao called inline (no worker, no deadline) / bare | %.3f | (reference: without the hand-off) |%n",
          inline / bare);
    }
    if (bare != null && none != null) {
      System.out.printf(
          "| (ref) core, every cache off / bare client read | %.3f | (reference: two KV reads + root unwrap) |%n",
          none / bare);
    }
    System.out.println();
    System.out.println(
        "| (c) operation | callers | calls | errors | ops/s | p50 ms | p95 ms | p99 ms | >= 1000 ops/s | p95 < 100 ms |");
    System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for (LoadDriver.Result r : load) {
      System.out.printf(
          "| %s | %d | %,d | %d | %,.0f | %.2f | %.2f | %.2f | %s | %s |%n",
          r.op(),
          r.callers(),
          r.calls(),
          r.errors(),
          r.opsPerSecond(),
          r.p50Ms(),
          r.p95Ms(),
          r.p99Ms(),
          target(r, r.opsPerSecond() >= 1000),
          target(r, r.p95Ms() < 100));
      if (r.firstError() != null) {
        System.out.println("  first error: " + r.firstError());
      }
    }
    printFloorRatios(load);
    System.out.println("load average after the run: " + loadAverage);
    System.out.printf("RESULT retrieve_interleaved_overhead_1 %.3f%n", medianOverhead);
    for (int callers : new int[] {1, 8, 32}) {
      Double retrieve = ops(load, "retrieve L3", callers);
      Double read = ops(load, "(floor) bare client KV read", callers);
      Double create = ops(load, "create L3", callers);
      Double write = ops(load, "(floor) bare client KV write", callers);
      if (retrieve != null && read != null) {
        System.out.printf("RESULT retrieve_vs_bare_read_%d %.3f%n", callers, retrieve / read);
      }
      if (create != null && write != null) {
        System.out.printf("RESULT create_l3_vs_bare_write_%d %.3f%n", callers, create / write);
      }
    }
  }

  /** Throughput against what the same server gave bare client requests at the same concurrency. */
  private static void printFloorRatios(List<LoadDriver.Result> load) {
    System.out.println();
    System.out.println(
        "| callers | retrieve ops/s / bare read ops/s | create L3 ops/s / bare write ops/s | the same x 4 requests |");
    System.out.println("| --- | --- | --- | --- |");
    for (int callers : new int[] {1, 8, 32}) {
      Double retrieve = ops(load, "retrieve L3", callers);
      Double read = ops(load, "(floor) bare client KV read", callers);
      Double create = ops(load, "create L3", callers);
      Double write = ops(load, "(floor) bare client KV write", callers);
      if (retrieve != null && read != null && create != null && write != null) {
        System.out.printf(
            "| %d | %.2f | %.2f | %.2f |%n",
            callers, retrieve / read, create / write, 4 * create / write);
      }
    }
  }

  private static Double ops(List<LoadDriver.Result> load, String opPrefix, int callers) {
    return load.stream()
        .filter(r -> r.op().startsWith(opPrefix) && r.callers() == callers)
        .map(LoadDriver.Result::opsPerSecond)
        .findFirst()
        .orElse(null);
  }

  private static String target(LoadDriver.Result r, boolean met) {
    return r.op().startsWith("(") ? (met ? "(met)" : "(missed)") : met ? "met" : "MISSED";
  }

  private static Double score(Map<String, Result<?>> jmh, String name) {
    Result<?> r = jmh.get(name);
    return r == null ? null : r.getScore();
  }
}
