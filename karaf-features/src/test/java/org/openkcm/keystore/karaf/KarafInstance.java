package org.openkcm.keystore.karaf;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One real Apache Karaf, unpacked from the distribution tar.gz with {@code tar}, started as {@code
 * bin/karaf server} (its own process, output to a file), driven through {@code bin/client} in batch
 * mode and stopped with {@code bin/stop}. Every wait is polled and bounded.
 */
final class KarafInstance implements AutoCloseable {
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);

  private final Path home;
  private final KarafSetup.Ports ports;
  private final Duration timeout;
  private Process server;

  private KarafInstance(Path home, KarafSetup.Ports ports, Duration timeout) {
    this.home = home;
    this.ports = ports;
    this.timeout = timeout;
  }

  /**
   * Unpacks {@code distribution} into a fresh {@code workDir/karaf} and prepares etc/ (ports, user,
   * offline Maven).
   */
  static KarafInstance unpack(
      Path distribution, Path workDir, Path localRepository, Path staging, Duration timeout)
      throws IOException {
    Path target = workDir.resolve("karaf");
    deleteTree(target);
    Files.createDirectories(target);
    run(List.of("tar", "-xzf", distribution.toString(), "-C", target.toString()), target, timeout);
    Path home;
    try (Stream<Path> s = Files.list(target)) {
      home =
          s.filter(p -> p.getFileName().toString().startsWith("apache-karaf-"))
              .findFirst()
              .orElseThrow(
                  () -> new IllegalStateException("no apache-karaf-* folder in " + distribution));
    }
    KarafSetup setup = new KarafSetup(home);
    KarafSetup.Ports ports = KarafSetup.Ports.free();
    setup.enableKarafUser();
    setup.ports(ports);
    setup.offlineMaven(localRepository, staging);
    return new KarafInstance(home, ports, timeout);
  }

  Path home() {
    return home;
  }

  KarafSetup.Ports ports() {
    return ports;
  }

  /**
   * Starts {@code bin/karaf server} with {@code environment} added to its own, and returns once the
   * shell answers and every boot feature is started.
   */
  void start(Map<String, String> environment) throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(home.resolve("bin/karaf").toString(), "server")
            .directory(home.toFile())
            .redirectErrorStream(true)
            .redirectOutput(home.resolve("console.out").toFile());
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    // exec: the process we hold is the JVM itself, so its exit status is Karaf's
    pb.environment().put("KARAF_EXEC", "exec");
    pb.environment().putAll(environment);
    server = pb.start();
    // if the test JVM is stopped (failsafe's fork timeout, Ctrl-C), Karaf must not outlive it
    Process started = server;
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  started.descendants().forEach(ProcessHandle::destroyForcibly);
                  started.destroyForcibly();
                },
                "karaf-it-cleanup"));
    await("Karaf shell on port " + ports.ssh())
        .atMost(timeout)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              if (!server.isAlive()) {
                throw new IllegalStateException(
                    "Karaf exited with "
                        + server.exitValue()
                        + " during start; see "
                        + home.resolve("console.out"));
              }
              ShellResult r = shell("feature:list -i");
              // the boot features (kar is the last) are all started: Karaf is ready for
              // feature:install
              List<List<String>> rows = KarafTables.rows(r.output());
              return r.exitCode() == 0
                  && rows.stream().anyMatch(row -> row.get(0).equals("kar"))
                  && rows.stream().allMatch(row -> row.get(3).equals("Started"));
            });
  }

  /**
   * Runs Karaf shell commands through {@code bin/client -b} (one command per line; stops at the
   * first failure).
   */
  ShellResult shell(String... commands) throws IOException {
    String script = String.join("\n", commands) + "\n";
    List<String> client =
        List.of(
            home.resolve("bin/client").toString(),
            "-a",
            Integer.toString(ports.ssh()),
            "-h",
            "127.0.0.1",
            "-u",
            "karaf",
            "-p",
            "karaf",
            "-b");
    Finished f = run(client, home, script, COMMAND_TIMEOUT);
    return ShellResult.of(String.join("; ", commands), f.exitCode(), f.output());
  }

  /** {@code bin/stop}, then waits for the server process to exit; returns its exit status. */
  int stop() throws IOException, InterruptedException {
    run(List.of(home.resolve("bin/stop").toString()), home, timeout);
    if (!server.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
      throw new IllegalStateException("Karaf did not exit within " + timeout + " after bin/stop");
    }
    return server.exitValue();
  }

  boolean isRunning() {
    return server != null && server.isAlive();
  }

  /** Last resort after a failed test: the JVM and anything it started go, forcibly. */
  @Override
  public void close() {
    if (isRunning()) {
      server.descendants().forEach(ProcessHandle::destroyForcibly);
      server.destroyForcibly();
      server.onExit().orTimeout(30, TimeUnit.SECONDS).join();
    }
  }

  private record Finished(int exitCode, String output) {}

  private static void run(List<String> command, Path dir, Duration timeout) throws IOException {
    Finished f = run(command, dir, "", timeout);
    if (f.exitCode() != 0) {
      throw new IllegalStateException(command + " failed with " + f.exitCode() + ": " + f.output());
    }
  }

  /**
   * Runs a command with {@code stdin} as its input; output goes through a file so a hung command
   * cannot block the read.
   */
  private static Finished run(List<String> command, Path dir, String stdin, Duration timeout)
      throws IOException {
    Path out = Files.createTempFile(dir.getParent(), "cmd-", ".out");
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(out.toFile());
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    // short-lived JVMs (client, stop): the optimising compiler only costs start-up time
    pb.environment().put("JAVA_OPTS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto");
    Process p = pb.start();
    try {
      try (OutputStream in = p.getOutputStream()) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        throw new IllegalStateException(
            command + " did not finish within " + timeout + " (input: " + stdin.strip() + ")");
      }
      return new Finished(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + command, e);
    } finally {
      Files.deleteIfExists(out);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    List<Path> all = new ArrayList<>();
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(all::add);
    }
    for (Path p : all) {
      Files.delete(p);
    }
  }
}
