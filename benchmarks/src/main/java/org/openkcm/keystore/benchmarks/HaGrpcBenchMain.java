package org.openkcm.keystore.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.openkcm.keystore.core.internal.crypto.ThreadCrypto;
import org.openkcm.keystore.openbao.testing.RaftCluster;

/**
 * Two keystore runtimes as processes (the built distribution's {@code bin/keystore}, each on its
 * own copy, gRPC port and cache) on one 3-node OpenBao Raft cluster on loopback, every tier routed
 * to OpenBao, the same root key; then the Go load driver ({@code grpc-load -ha}) against both gRPC
 * servers, its output passed through (the {@code RESULT ha_retrieve_ops_8_*} lines). Everything
 * started here is stopped at the end. Arguments: {@code <runtime folder> <certs folder> <driver>
 * [driver arguments...]}.
 */
public final class HaGrpcBenchMain {
  private static final long START_TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(3);

  private HaGrpcBenchMain() {}

  public static void main(String[] args) throws Exception {
    Path runtime = Path.of(args[0]).toAbsolutePath();
    Path certs = Path.of(args[1]).toAbsolutePath();
    String driver = args[2];
    Path work = Files.createTempDirectory("ha-grpc-bench");
    List<Process> runtimes = new ArrayList<>();
    Thread reaper = new Thread(() -> runtimes.forEach(HaGrpcBenchMain::kill), "ha-bench-reaper");
    Runtime.getRuntime().addShutdownHook(reaper);
    int status;
    try (RaftCluster cluster = RaftCluster.start(3)) {
      String master = Base64.getEncoder().encodeToString(ThreadCrypto.randomBytes(32));
      List<String> addresses = new ArrayList<>();
      for (String name : List.of("a", "b")) {
        int port = freePort();
        runtimes.add(start(runtime, work.resolve(name), certs, port, cluster, master));
        addresses.add("127.0.0.1:" + port);
      }
      for (int i = 0; i < runtimes.size(); i++) {
        awaitPort(runtimes.get(i), addresses.get(i), work);
      }
      List<String> cmd = new ArrayList<>(List.of(driver, "-ha", String.join(",", addresses)));
      cmd.add("-certs");
      cmd.add(certs.toString());
      cmd.addAll(List.of(args).subList(3, args.length));
      status = new ProcessBuilder(cmd).inheritIO().start().waitFor();
    } finally {
      runtimes.forEach(HaGrpcBenchMain::stop);
    }
    System.exit(status);
  }

  private static Process start(
      Path built, Path dir, Path certs, int grpcPort, RaftCluster cluster, String master)
      throws IOException {
    Path copy = dir.resolve("runtime");
    copyTree(built, copy);
    Files.writeString(
        copy.resolve("conf/config.yaml"),
        String.join(
            "\n",
            "routing:",
            "  rules:",
            "    - tier: [L2, L3, L4]",
            "      backend: openbao",
            "  default: openbao",
            "grpc:",
            "  host: 127.0.0.1",
            "  port: " + grpcPort,
            "  certFile: " + certs.resolve("server.pem"),
            "  keyFile: " + certs.resolve("server-key.pem"),
            "  clientCaFile: " + certs.resolve("ca.pem"),
            "  clients:",
            "    - \"identity=spiffe://openkcm.dev/app; owners=tenant:bench; ops=KeyService/*\"",
            ""),
        StandardCharsets.UTF_8);
    ProcessBuilder pb =
        new ProcessBuilder("bash", "bin/keystore")
            .directory(copy.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("runtime.log").toFile());
    Map<String, String> env = pb.environment();
    env.put("BAO_ADDR", cluster.addresses());
    env.put("BAO_TOKEN", cluster.rootToken());
    env.put("OPENKCM_KEYSTORE_MASTER_KEY", master);
    env.put("OPENKCM_HTTP_PORT", String.valueOf(freePort()));
    env.put("OPENKCM_SHELL", "off");
    env.put("OPENKCM_CONSOLE_USER", "bench");
    env.put(
        "OPENKCM_CONSOLE_PASSWORD",
        Base64.getEncoder().encodeToString(ThreadCrypto.randomBytes(18)));
    return pb.start();
  }

  private static void awaitPort(Process p, String address, Path work) throws IOException {
    int port = Integer.parseInt(address.substring(address.indexOf(':') + 1));
    long end = System.nanoTime() + START_TIMEOUT_NANOS;
    while (System.nanoTime() < end) {
      if (!p.isAlive()) {
        throw new IllegalStateException("a runtime ended at start; its log is under " + work);
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
        return;
      } catch (IOException notYet) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
      }
    }
    throw new IllegalStateException("gRPC port " + port + " never opened; logs under " + work);
  }

  private static void stop(Process p) {
    p.toHandle().destroy();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        kill(p);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill(p);
    }
  }

  private static void kill(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
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
