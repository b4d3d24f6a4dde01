package org.openkcm.keystore.benchmarks;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every benchmark at 1 and 2 threads in one go and prints ops/s and the core/floor cost
 * ratios. Accepts JMH's -f, -wi, -i, -w, -r options (defaults: 1 fork, 3 x 1 s warm-up, 5 x 1 s
 * measurement; on a busy machine pass e.g. -wi 5 -w 2s, since C2 compiles the core's longer paths
 * late).
 */
public final class BenchmarkMain {
  private static final String[][] PAIRS = {
    {"cached L4 retrieve vs bare Caffeine get+copy", "coreCachedOpen", "floorCaffeineCopy"},
    {
      "(ref) cached L4 retrieve vs Caffeine with the same TTL/idle policy",
      "coreCachedOpen",
      "refCaffeinePolicyCopy"
    },
    {"L4 create vs crypto floor", "coreCreateL4", "floorCreateL4"},
    {
      "(ref) L4 create vs crypto floor + metadata + InMemory store",
      "coreCreateL4",
      "refFloorPlusInMemoryStore"
    },
    {"uncached L4 open vs crypto floor", "coreUncachedOpen", "floorOpen"},
    {"encrypt 1 KiB, cached L4, vs bare JDK AES-GCM", "coreEncrypt1k", "floorEncrypt1k"},
    {"decrypt 1 KiB, cached L4, vs bare JDK AES-GCM", "coreDecrypt1k", "floorDecrypt1k"},
  };

  private BenchmarkMain() {}

  public static void main(String[] args) throws Exception {
    CommandLineOptions cli = new CommandLineOptions(args);
    Map<String, Double> score = new LinkedHashMap<>();
    for (int threads : new int[] {1, 2}) {
      Options o =
          new OptionsBuilder()
              .include(BenchmarkMain.class.getPackageName() + "\\..*Bench\\..*")
              .mode(Mode.Throughput)
              .timeUnit(TimeUnit.SECONDS)
              .threads(threads)
              .forks(cli.getForkCount().orElse(1))
              .warmupIterations(cli.getWarmupIterations().orElse(3))
              .warmupTime(cli.getWarmupTime().orElse(TimeValue.seconds(1)))
              .measurementIterations(cli.getMeasurementIterations().orElse(5))
              .measurementTime(cli.getMeasurementTime().orElse(TimeValue.seconds(1)))
              .jvmArgsAppend("-Xmx3g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn")
              .build();
      for (RunResult r : new Runner(o).run()) {
        String bench = r.getParams().getBenchmark();
        score.put(
            bench.substring(bench.lastIndexOf('.') + 1) + "@" + threads,
            r.getPrimaryResult().getScore());
      }
    }
    print(score);
  }

  private static void print(Map<String, Double> score) {
    System.out.println();
    System.out.println(
        "| comparison | threads | core ops/s | floor ops/s | core ns/op | floor ns/op | ratio core/floor | target |");
    System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- |");
    for (String[] p : PAIRS) {
      for (int t : new int[] {1, 2}) {
        Double core = score.get(p[1] + "@" + t);
        Double floor = score.get(p[2] + "@" + t);
        if (core == null || floor == null) {
          continue;
        }
        double ratio = floor / core;
        double bound = p[1].contains("crypt") ? 1.3 : 2.0;
        String target =
            p[0].startsWith("(ref)")
                ? "(reference)"
                : "<= " + bound + "x " + (ratio <= bound ? "met" : "MISSED");
        System.out.printf(
            "| %s | %d | %,.0f | %,.0f | %,.0f | %,.0f | %.2fx | %s |%n",
            p[0], t, core, floor, t * 1e9 / core, t * 1e9 / floor, ratio, target);
      }
    }
    System.out.println("(ns/op = per operation per thread; ops/s = all threads together)");
    try {
      System.out.println(
          "load average after the run: "
              + java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim());
    } catch (java.io.IOException | RuntimeException e) {
      // not Linux: nothing to add
    }
  }
}
