package org.openkcm.keystore.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openkcm.keystore.openbao.testing.OpenBaoServer;

/**
 * Benchmarks against a real local OpenBao (dev mode, loopback, free port), started here through the
 * test harness and stopped at the end (also on Ctrl-C): JMH for retrieve through the core vs a bare
 * client read, the same comparison interleaved call by call, then the load driver at 1, 8 and 32
 * callers for retrieve and create. Prints Markdown tables. Accepts JMH's -f, -wi, -w, -i, -r and
 * {@code --load-warmup-ms} / {@code --load-ms} for the load phases.
 */
public final class BaoBenchMain {
  private BaoBenchMain() {}

  public static void main(String[] args) throws Exception {
    long loadWarmup = longArg(args, "--load-warmup-ms", 2000);
    long loadMeasure = longArg(args, "--load-ms", 5000);
    CommandLineOptions cli = new CommandLineOptions(jmhArgs(args));
    OpenBaoServer bao = OpenBaoServer.startDev();
    Thread stopper = new Thread(bao::close, "stop-bao");
    Runtime.getRuntime().addShutdownHook(stopper);
    try {
      Path tokenFile = tokenFile(bao.rootToken());
      System.setProperty(BaoEnv.ADDRESS_PROPERTY, bao.address());
      System.setProperty(BaoEnv.TOKEN_FILE_PROPERTY, tokenFile.toString());
      System.out.println(
          "bao " + bao.address() + " (dev mode, in-memory storage); load average " + loadAverage());
      Map<String, Result<?>> jmh = runJmh(cli);
      Interleaved.Result ab = Interleaved.run(loadWarmup, 2 * loadMeasure);
      System.out.println(ab);
      List<LoadDriver.Result> load = LoadPhases.run(loadWarmup, loadMeasure);
      BaoReport.print(jmh, ab, load, loadAverage());
    } finally {
      bao.close();
      Runtime.getRuntime().removeShutdownHook(stopper);
    }
  }

  private static Map<String, Result<?>> runJmh(CommandLineOptions cli) throws Exception {
    OptionsBuilder o = new OptionsBuilder();
    o.include(OpenBaoRetrieveBenchmarks.class.getName() + "\\..*")
        .threads(1)
        .forks(cli.getForkCount().orElse(1))
        .warmupIterations(cli.getWarmupIterations().orElse(3))
        .warmupTime(cli.getWarmupTime().orElse(TimeValue.seconds(1)))
        .measurementIterations(cli.getMeasurementIterations().orElse(5))
        .measurementTime(cli.getMeasurementTime().orElse(TimeValue.seconds(1)))
        .jvmArgsAppend(
            "-Xmx1g",
            "-Dfile.encoding=UTF-8",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
            "-D" + BaoEnv.ADDRESS_PROPERTY + "=" + System.getProperty(BaoEnv.ADDRESS_PROPERTY),
            "-D"
                + BaoEnv.TOKEN_FILE_PROPERTY
                + "="
                + System.getProperty(BaoEnv.TOKEN_FILE_PROPERTY));
    Map<String, Result<?>> score = new LinkedHashMap<>();
    for (RunResult r : new Runner(o.build()).run()) {
      String b = r.getParams().getBenchmark();
      score.put(b.substring(b.lastIndexOf('.') + 1), r.getPrimaryResult());
    }
    return score;
  }

  private static Path tokenFile(String token) throws IOException {
    Path dir =
        Files.createTempDirectory(
            "bao-bench-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path f = dir.resolve("token");
    Files.writeString(f, token);
    f.toFile().deleteOnExit();
    dir.toFile().deleteOnExit();
    return f;
  }

  private static String[] jmhArgs(String[] args) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].startsWith("--load-")) {
        i++;
      } else {
        out.add(args[i]);
      }
    }
    return out.toArray(new String[0]);
  }

  private static long longArg(String[] args, String name, long dflt) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return Long.parseLong(args[i + 1]);
      }
    }
    return dflt;
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }
}
