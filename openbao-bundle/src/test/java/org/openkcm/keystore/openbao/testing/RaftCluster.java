package org.openkcm.keystore.openbao.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real OpenBao HA cluster for tests: {@code size} bao servers with Raft storage on free loopback
 * ports, each with a file config whose {@code retry_join} names every node, initialised (one unseal
 * key) and unsealed by the harness, all nodes voters, KV v2 at {@code secret/}. A node can be
 * killed with SIGKILL and restarted (same port and storage); it is unsealed and rejoins. Every
 * process is killed by {@link #close()}, and by a JVM shutdown hook if a test run dies first. Waits
 * poll the nodes' HTTP API, never fixed sleeps.
 */
public final class RaftCluster implements AutoCloseable {
  public static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final Pattern VOTER = Pattern.compile("\"voter\"\\s*:\\s*true");
  private static final Pattern LEADER_INDEX =
      Pattern.compile("\"raft_committed_index\"\\s*:\\s*(\\d+)");

  private final Path bao;
  private final Path workDir;
  private final int[] ports;
  private final Process[] processes;
  private final boolean[] killed;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final Thread reaper = new Thread(this::killAll, "raft-cluster-reaper");
  private String rootToken;
  private String unsealKey;

  private RaftCluster(int size) throws IOException {
    this.bao = BaoTools.findBinary();
    this.workDir = Files.createTempDirectory("openbao-raft-");
    this.ports = new int[size];
    this.processes = new Process[size];
    this.killed = new boolean[size];
    for (int i = 0; i < size; i++) {
      int p;
      do {
        p = BaoTools.freePortPair();
      } while (taken(p, i));
      ports[i] = p;
    }
  }

  private boolean taken(int port, int upTo) {
    for (int j = 0; j < upTo; j++) {
      if (Math.abs(ports[j] - port) < 2) {
        return true;
      }
    }
    return false;
  }

  /**
   * Starts {@code size} nodes, initialises and unseals them, waits until every node is a voter and
   * KV v2 at {@code secret/} accepts writes through every node. Fails loudly with the logs.
   */
  public static RaftCluster start(int size) {
    RaftCluster c;
    try {
      c = new RaftCluster(size);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare a bao cluster", e);
    }
    Runtime.getRuntime().addShutdownHook(c.reaper);
    try {
      c.boot();
      return c;
    } catch (IOException | RuntimeException | Error e) {
      String logs = c.logs();
      c.close();
      throw new IllegalStateException(
          "bao cluster did not start: " + e.getMessage() + "\n" + logs, e);
    }
  }

  private void boot() throws IOException {
    for (int i = 0; i < ports.length; i++) {
      writeConfig(i);
      launch(i);
    }
    await("node 0 answers uninitialised", () -> health(0) == 501);
    String init =
        call(0, "PUT", "sys/init", "{\"secret_shares\":1,\"secret_threshold\":1}", false).body();
    unsealKey = BaoTools.jsonString(init, "keys_base64");
    rootToken = BaoTools.jsonString(init, "root_token");
    unsealNode(0);
    await("node 0 active", () -> health(0) == 200);
    // promote joined nodes to voters after 1 s instead of 10 s; never remove a dead node
    call(
        0,
        "POST",
        "sys/storage/raft/autopilot/configuration",
        "{\"server_stabilization_time\":\"1s\",\"cleanup_dead_servers\":false}",
        true);
    for (int i = 1; i < ports.length; i++) {
      int node = i;
      await(
          "node " + i + " joined (initialised)",
          () -> get(node, "sys/seal-status").contains("\"initialized\":true"));
      unsealNode(i);
    }
    awaitVoters(ports.length);
    call(0, "POST", "sys/mounts/secret", "{\"type\":\"kv\",\"options\":{\"version\":\"2\"}}", true);
    for (int i = 0; i < ports.length; i++) {
      int node = i;
      await(
          "KV v2 writable through node " + i,
          () -> {
            HttpResponse<String> r =
                send(node, "POST", "secret/data/harness-ready", "{\"data\":{\"ok\":\"1\"}}", true);
            return r != null && r.statusCode() == 200;
          });
    }
    call(0, "DELETE", "secret/metadata/harness-ready", null, true);
  }

  private void writeConfig(int i) throws IOException {
    Path dir = Files.createDirectories(workDir.resolve("node" + i));
    Files.createDirectories(dir.resolve("data"));
    StringBuilder joins = new StringBuilder();
    for (int port : ports) {
      joins
          .append("  retry_join {\n    leader_api_addr = \"http://127.0.0.1:")
          .append(port)
          .append("\"\n  }\n");
    }
    Files.writeString(
        dir.resolve("server.hcl"),
        "storage \"raft\" {\n  path = \""
            + dir.resolve("data")
            + "\"\n  node_id = \"node"
            + i
            + "\"\n  performance_multiplier = 1\n"
            + joins
            + "}\n"
            + "listener \"tcp\" {\n  address = \"127.0.0.1:"
            + ports[i]
            + "\"\n  cluster_address = \"127.0.0.1:"
            + (ports[i] + 1)
            + "\"\n  tls_disable = true\n}\n"
            + "api_addr = \"http://127.0.0.1:"
            + ports[i]
            + "\"\ncluster_addr = \"https://127.0.0.1:"
            + (ports[i] + 1)
            + "\"\ndisable_mlock = true\nui = false\n");
  }

  private void launch(int i) {
    Path dir = workDir.resolve("node" + i);
    ProcessBuilder pb =
        new ProcessBuilder(bao.toString(), "server", "-config=" + dir.resolve("server.hcl"))
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.log").toFile()));
    BaoTools.cleanEnvironment(pb.environment(), dir);
    try {
      processes[i] = pb.start();
      processes[i].getOutputStream().close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + bao, e);
    }
  }

  private void unsealNode(int i) {
    call(i, "PUT", "sys/unseal", "{\"key\":\"" + unsealKey + "\"}", false);
  }

  /**
   * @return every node's address, comma-separated (what {@code BAO_ADDR} takes)
   */
  public String addresses() {
    return java.util.Arrays.stream(ports)
        .mapToObj(p -> "http://127.0.0.1:" + p)
        .collect(Collectors.joining(","));
  }

  public String address(int node) {
    return "http://127.0.0.1:" + ports[node];
  }

  public int size() {
    return ports.length;
  }

  public String rootToken() {
    return rootToken;
  }

  public boolean isRunning(int node) {
    return processes[node] != null && processes[node].isAlive();
  }

  /**
   * @return the HTTP status of the node's {@code sys/health} (200 active, 429 standby, 503 sealed),
   *     -1 when it does not answer
   */
  public int health(int node) {
    HttpResponse<String> r = send(node, "GET", "sys/health", null, false);
    return r == null ? -1 : r.statusCode();
  }

  /**
   * @return the node whose health says active, -1 when none does
   */
  public int activeNode() {
    for (int i = 0; i < ports.length; i++) {
      if (isRunning(i) && health(i) == 200) {
        return i;
      }
    }
    return -1;
  }

  /** Waits until one node is active and returns it. */
  public int awaitActive(Duration timeout) {
    int[] found = {-1};
    await("an active node", () -> (found[0] = activeNode()) >= 0, timeout);
    return found[0];
  }

  /** Waits until {@code count} nodes are Raft voters (asked through any running node). */
  public void awaitVoters(int count) {
    await(
        count + " voters",
        () -> {
          for (int i = 0; i < ports.length; i++) {
            if (isRunning(i)) {
              HttpResponse<String> r = send(i, "GET", "sys/storage/raft/configuration", null, true);
              if (r != null && r.statusCode() == 200) {
                Matcher m = VOTER.matcher(r.body());
                int n = 0;
                while (m.find()) {
                  n++;
                }
                return n >= count;
              }
            }
          }
          return false;
        });
  }

  /**
   * @return the highest Raft committed index any running node reports (progress of the cluster)
   */
  public long committedIndex() {
    long best = -1;
    for (int i = 0; i < ports.length; i++) {
      if (isRunning(i)) {
        Matcher m = LEADER_INDEX.matcher(get(i, "sys/leader"));
        if (m.find()) {
          best = Math.max(best, Long.parseLong(m.group(1)));
        }
      }
    }
    return best;
  }

  /** SIGKILL, as a crash would; waits until the process is gone. */
  public void kill(int node) {
    if (processes[node] != null) {
      killed[node] = true;
      processes[node].destroyForcibly();
      BaoTools.waitFor(processes[node]);
    }
  }

  /**
   * Starts a killed node again on its port and storage, unseals it, waits until it is a standby.
   */
  public void restart(int node) {
    if (isRunning(node)) {
      throw new IllegalStateException("node " + node + " is running");
    }
    killed[node] = false;
    launch(node);
    await("node " + node + " back (sealed)", () -> health(node) == 503);
    unsealNode(node);
    await(
        "node " + node + " unsealed",
        () -> {
          int h = health(node);
          return h == 429 || h == 200;
        });
  }

  /**
   * @return the log of a node so far
   */
  public String log(int node) {
    try {
      return Files.readString(workDir.resolve("node" + node).resolve("server.log"));
    } catch (IOException e) {
      return "(no log: " + e.getClass().getSimpleName() + ")";
    }
  }

  private String logs() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < ports.length; i++) {
      String l = log(i);
      b.append("--- node ")
          .append(i)
          .append(" log (tail) ---\n")
          .append(l.length() > 4000 ? l.substring(l.length() - 4000) : l)
          .append('\n');
    }
    return b.toString();
  }

  @Override
  public void close() {
    killAll();
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
    try (Stream<Path> files = Files.walk(workDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // temp directory: best effort
    }
  }

  private void killAll() {
    for (Process p : processes) {
      if (p != null) {
        p.destroyForcibly();
      }
    }
    for (Process p : processes) {
      if (p != null) {
        BaoTools.waitFor(p);
      }
    }
  }

  private String get(int node, String path) {
    HttpResponse<String> r = send(node, "GET", path, null, false);
    return r == null ? "" : r.body();
  }

  private HttpResponse<String> call(
      int node, String method, String path, String body, boolean auth) {
    HttpResponse<String> r = send(node, method, path, body, auth);
    if (r == null || r.statusCode() / 100 != 2) {
      throw new IllegalStateException(
          method
              + " "
              + path
              + " on node "
              + node
              + " failed: "
              + (r == null ? "no answer" : r.statusCode() + " " + r.body()));
    }
    return r;
  }

  /**
   * @return the answer, {@code null} when the node does not answer
   */
  private HttpResponse<String> send(
      int node, String method, String path, String body, boolean auth) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(address(node) + "/v1/" + path))
            .timeout(Duration.ofSeconds(5))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (auth) {
      b.header("X-Vault-Token", rootToken);
    }
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private void await(String what, BooleanSupplier ok) {
    await(what, ok, START_TIMEOUT);
  }

  private void await(String what, BooleanSupplier ok, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!ok.getAsBoolean()) {
      for (int i = 0; i < processes.length; i++) {
        if (processes[i] != null && !processes[i].isAlive() && !killed[i]) {
          throw new IllegalStateException("node " + i + " exited while waiting for " + what);
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
  }
}
