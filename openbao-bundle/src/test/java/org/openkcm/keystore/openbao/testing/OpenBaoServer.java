package org.openkcm.keystore.openbao.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real OpenBao server for tests, on a free loopback port: {@link #startDev()} (in-memory,
 * unsealed, for most tests) or {@link #startPersistent()} (single-node Raft storage, {@code bao
 * operator init}/{@code unseal}, survives {@link #kill()} + {@link #restart()}). Finds {@code bao}
 * through {@code BAO_BIN}, else {@code <repo>/.tools/venv/bin/bao} (walking up from the working
 * directory), else PATH, and fails loudly when there is none. Waits by polling {@code
 * /v1/sys/health}, never by fixed sleeps.
 */
public final class OpenBaoServer implements AutoCloseable {
  public static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Pattern DEV_UNSEAL_KEY = Pattern.compile("Unseal Key: (\\S+)");

  private final Path bao;
  private final Path workDir;
  private final boolean persistent;
  private final int port;
  private HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private Path caFile;
  private Process process;
  private String rootToken;
  private String unsealKey;

  private OpenBaoServer(boolean persistent) throws IOException {
    this.bao = BaoTools.findBinary();
    this.persistent = persistent;
    this.workDir = Files.createTempDirectory("openbao-test-");
    this.port = BaoTools.freePortPair();
  }

  /** Dev mode: in-memory storage, unsealed, KV v2 at {@code secret/}, a random root token. */
  public static OpenBaoServer startDev() {
    return startDev(null);
  }

  /**
   * Dev mode plus a configuration file, e.g. an extra mTLS listener; the harness itself keeps using
   * the plain dev listener at {@link #address()}.
   */
  public static OpenBaoServer startDev(Path extraConfig) {
    return start(
        false,
        s -> {
          s.rootToken = "root-" + UUID.randomUUID();
          List<String> args =
              new ArrayList<>(
                  List.of(
                      "server",
                      "-dev",
                      "-dev-no-store-token",
                      "-dev-root-token-id=" + s.rootToken,
                      "-dev-listen-address=127.0.0.1:" + s.port));
          if (extraConfig != null) {
            args.add("-config=" + extraConfig);
          }
          s.launch(args);
          s.awaitHealth(code -> code == 200, START_TIMEOUT);
          s.unsealKey = s.awaitLog(DEV_UNSEAL_KEY);
          s.awaitKvReady();
        });
  }

  /**
   * Dev mode over TLS ({@code -dev-tls}): bao generates a CA and a server certificate, see {@link
   * #caFile()}.
   */
  public static OpenBaoServer startDevTls() {
    return start(
        false,
        s -> {
          s.rootToken = "root-" + UUID.randomUUID();
          Path tls = Files.createDirectories(s.workDir.resolve("tls"));
          s.launch(
              List.of(
                  "server",
                  "-dev",
                  "-dev-no-store-token",
                  "-dev-root-token-id=" + s.rootToken,
                  "-dev-tls",
                  "-dev-tls-cert-dir=" + tls,
                  "-dev-listen-address=127.0.0.1:" + s.port));
          s.unsealKey = s.awaitLog(DEV_UNSEAL_KEY);
          s.caFile = tls.resolve("vault-ca.pem");
          s.http =
              HttpClient.newBuilder()
                  .connectTimeout(Duration.ofSeconds(2))
                  .sslContext(BaoTools.trusting(s.caFile))
                  .build();
          s.awaitHealth(code -> code == 200, START_TIMEOUT);
          s.awaitKvReady();
        });
  }

  /**
   * Raft storage (OpenBao 2 has no file storage): initialised with one unseal key, unsealed, KV v2
   * enabled at {@code secret/}.
   */
  public static OpenBaoServer startPersistent() {
    return start(
        true,
        s -> {
          Files.createDirectories(s.workDir.resolve("data"));
          // performance_multiplier = 1: fast leader election after every unseal and restart
          Files.writeString(
              s.workDir.resolve("server.hcl"),
              "storage \"raft\" {\n  path = \""
                  + s.workDir.resolve("data")
                  + "\"\n  node_id = \"node1\"\n  performance_multiplier = 1\n}\n"
                  + "listener \"tcp\" {\n  address = \"127.0.0.1:"
                  + s.port
                  + "\"\n  cluster_address = \"127.0.0.1:"
                  + (s.port + 1)
                  + "\"\n  tls_disable = true\n}\n"
                  + "api_addr = \"http://127.0.0.1:"
                  + s.port
                  + "\"\ncluster_addr = \"http://127.0.0.1:"
                  + (s.port + 1)
                  + "\"\nui = false\n");
          s.launchConfigured();
          s.awaitHealth(code -> code == 501, START_TIMEOUT);
          String init =
              s.cliOk("operator", "init", "-key-shares=1", "-key-threshold=1", "-format=json");
          s.unsealKey = BaoTools.jsonString(init, "unseal_keys_b64");
          s.rootToken = BaoTools.jsonString(init, "root_token");
          s.unseal();
          s.cliOk("secrets", "enable", "-path=secret", "-version=2", "kv");
          s.awaitKvReady();
        });
  }

  /**
   * Runs the start-up steps; if any fails, the half-started server and its directory are removed.
   */
  private static OpenBaoServer start(boolean persistent, StartStep steps) {
    OpenBaoServer s;
    try {
      s = new OpenBaoServer(persistent);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare a bao server", e);
    }
    try {
      steps.run(s);
      return s;
    } catch (Exception | Error e) {
      String log = s.log();
      s.close();
      throw new IllegalStateException("bao did not start: " + e.getMessage() + "\nLog:\n" + log, e);
    }
  }

  @FunctionalInterface
  private interface StartStep {
    void run(OpenBaoServer s) throws Exception;
  }

  /**
   * @return {@code BAO_BIN}, else {@code .tools/venv/bin/bao} above the working directory, else
   *     PATH.
   */
  public static Path findBinary() {
    return BaoTools.findBinary();
  }

  /**
   * @return a loopback port that was free a moment ago (for an extra listener in a config file).
   */
  public static int freeLoopbackPort() {
    return BaoTools.freeLoopbackPort();
  }

  public String address() {
    return (caFile != null ? "https" : "http") + "://127.0.0.1:" + port;
  }

  /**
   * @return the CA certificate (PEM) of a {@link #startDevTls()} server, {@code null} otherwise.
   */
  public Path caFile() {
    return caFile;
  }

  public int port() {
    return port;
  }

  public String rootToken() {
    return rootToken;
  }

  public boolean isPersistent() {
    return persistent;
  }

  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** {@code bao operator seal}, then waits until sys/health says sealed (503). */
  public void seal() {
    cliOk("operator", "seal");
    awaitHealth(code -> code == 503, START_TIMEOUT);
  }

  /** {@code bao operator unseal}, then waits until the server is active (200). */
  public void unseal() {
    cliOk("operator", "unseal", unsealKey);
    awaitHealth(code -> code == 200, START_TIMEOUT);
  }

  /** Destroys the process forcibly (SIGKILL), as a crash would; waits until it is gone. */
  public void kill() {
    if (process != null) {
      process.destroyForcibly();
      BaoTools.waitFor(process);
    }
  }

  /** Starts again on the same port and storage and unseals; only for {@link #startPersistent()}. */
  public void restart() {
    if (!persistent) {
      throw new IllegalStateException(
          "a dev-mode server keeps nothing: restart needs startPersistent()");
    }
    if (isRunning()) {
      stop();
    }
    launchConfigured();
    awaitHealth(code -> code == 503, START_TIMEOUT);
    unseal();
  }

  /** Stops gracefully (SIGTERM), forcibly if that takes over 10 s. */
  public void stop() {
    if (process != null && process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
      BaoTools.waitFor(process);
    }
  }

  /** Stops the server and deletes its storage and logs. */
  @Override
  public void close() {
    stop();
    try (Stream<Path> files = Files.walk(workDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // temp directory: best effort
    }
  }

  /**
   * @return the HTTP status of GET /v1/sys/health, or -1 when nothing answers.
   */
  public int healthStatus() {
    try {
      HttpRequest req =
          HttpRequest.newBuilder(URI.create(address() + "/v1/sys/health"))
              .timeout(Duration.ofSeconds(2))
              .GET()
              .build();
      return http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /**
   * Polls sys/health until {@code ok} holds for its status; fails with the server log when it does
   * not.
   */
  public void awaitHealth(IntPredicate ok, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    int last;
    while (!ok.test(last = healthStatus())) {
      if (System.nanoTime() > deadline
          || (process != null && !process.isAlive() && last == -1 && !ok.test(-1))) {
        throw new IllegalStateException(
            "bao at "
                + address()
                + " did not reach the expected state (last health "
                + last
                + ", process "
                + (isRunning() ? "alive" : "dead")
                + "). Log:\n"
                + log());
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
  }

  /** Runs the real {@code bao} CLI against this server with the root token. */
  public CliResult cli(String... args) {
    return cliAs(rootToken, args);
  }

  /** Runs the real {@code bao} CLI with another token (e.g. a restricted one). */
  public CliResult cliAs(String token, String... args) {
    return BaoTools.runCli(bao, workDir, address(), token, caFile, args);
  }

  /**
   * @return stdout of a CLI call that must succeed.
   */
  public String cliOk(String... args) {
    CliResult r = cli(args);
    if (r.exitCode() != 0) {
      throw new IllegalStateException(
          "bao "
              + String.join(" ", args[0], args.length > 1 ? args[1] : "")
              + " failed ("
              + r.exitCode()
              + "): "
              + r.stderr());
    }
    return r.stdout();
  }

  /**
   * @return the server's own log so far (for failure messages).
   */
  public String log() {
    try {
      return Files.readString(workDir.resolve("server.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private void launchConfigured() {
    launch(List.of("server", "-config=" + workDir.resolve("server.hcl")));
  }

  private void launch(List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(bao.toString());
    cmd.addAll(args);
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(
                ProcessBuilder.Redirect.appendTo(workDir.resolve("server.log").toFile()));
    BaoTools.cleanEnvironment(pb.environment(), workDir);
    try {
      process = pb.start();
      process.getOutputStream().close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + bao, e);
    }
  }

  /**
   * A new KV v2 mount upgrades itself in the background and answers 400 meanwhile: wait for a
   * write.
   */
  private void awaitKvReady() {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (cli("kv", "put", "-mount=secret", "harness-ready", "ok=1").exitCode() != 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("KV v2 at secret/ never accepted a write:\n" + log());
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
    cliOk("kv", "metadata", "delete", "-mount=secret", "harness-ready");
  }

  private String awaitLog(Pattern p) {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      Matcher m = p.matcher(log());
      if (m.find()) {
        return m.group(1);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("bao log never showed " + p + ":\n" + log());
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
  }
}
