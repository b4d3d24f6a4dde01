package org.openkcm.keystore.distribution;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The runtime as a user starts it: {@code ./run.sh} from the repository, here on a private copy of
 * the built runtime folder (own framework cache, own hot-deploy folder, free port). Its output is
 * kept (and written to a log file under target/) so tests can wait for what it prints; its stdin is
 * the Gogo shell.
 */
final class RuntimeProcess implements AutoCloseable {
  final Path runtimeDir;
  final Path bundlesDir;
  final int port;
  final long startedNanos;
  private final Process process;
  private final List<String> lines = new ArrayList<>();
  private final PrintWriter shell;
  private final Thread pump;

  RuntimeProcess(Path repo, Path builtRuntime, Path workDir, Map<String, String> env)
      throws IOException {
    this.runtimeDir = workDir.resolve("runtime");
    this.bundlesDir = workDir.resolve("hot-deploy");
    copyTree(builtRuntime, runtimeDir);
    Files.createDirectories(bundlesDir);
    this.port =
        env.containsKey("OPENKCM_HTTP_PORT")
            ? Integer.parseInt(env.get("OPENKCM_HTTP_PORT"))
            : freePort();
    ProcessBuilder pb =
        new ProcessBuilder("bash", repo.resolve("run.sh").toString())
            .directory(repo.toFile())
            .redirectErrorStream(true);
    Map<String, String> e = pb.environment();
    e.putAll(env);
    e.put("OPENKCM_RUNTIME_DIR", runtimeDir.toString());
    e.put("OPENKCM_BUNDLES_DIR", bundlesDir.toString());
    e.put("OPENKCM_HTTP_PORT", String.valueOf(port));
    e.putIfAbsent("OPENKCM_SHELL", "stdin"); // a test may ask for OPENKCM_SHELL=off
    e.put("OPENKCM_LOG_LEVEL", "INFO");
    this.startedNanos = System.nanoTime();
    this.process = pb.start();
    this.shell = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
    Path log = workDir.resolve("runtime.log");
    this.pump = new Thread(() -> pump(log), "runtime-output");
    pump.setDaemon(true);
    pump.start();
  }

  /**
   * @return the JVM's process id (bin/keystore execs java)
   */
  long pid() {
    return process.pid();
  }

  private void pump(Path log) {
    try (BufferedReader in =
            new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        OutputStream file = Files.newOutputStream(log)) {
      String line;
      while ((line = in.readLine()) != null) {
        synchronized (lines) {
          lines.add(line);
        }
        file.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        file.flush();
      }
    } catch (IOException e) {
      // the process ended
    }
  }

  /**
   * @return everything printed so far
   */
  String output() {
    synchronized (lines) {
      return String.join("\n", lines);
    }
  }

  /**
   * @return what was printed after the first {@code skip} lines
   */
  String outputSince(int skip) {
    synchronized (lines) {
      return String.join("\n", lines.subList(Math.min(skip, lines.size()), lines.size()));
    }
  }

  int lineCount() {
    synchronized (lines) {
      return lines.size();
    }
  }

  /** Types a command into the runtime's Gogo shell. */
  void shell(String command) {
    shell.println(command);
  }

  boolean alive() {
    return process.isAlive();
  }

  /**
   * @return the exit status once it ended (waits for the output to be read to the end first)
   */
  int exitValue() throws InterruptedException {
    process.waitFor();
    pump.join(10_000);
    return process.exitValue();
  }

  /**
   * Stops it the way Ctrl-C does (a signal; Felix's shutdown hook stops the framework) and waits.
   */
  int stop() throws InterruptedException {
    // ProcessHandle.destroy only signals (SIGTERM); Process.destroy would also close our end of its
    // output, losing what the runtime prints while it stops
    process.toHandle().destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    pump.join(10_000);
    return process.exitValue();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      try {
        stop();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        Path rel = from.relativize(p);
        if (rel.startsWith("cache")) {
          continue;
        }
        Path target = to.resolve(rel.toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
