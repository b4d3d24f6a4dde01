package org.openkcm.keystore.pluginhost.internal;

import com.google.protobuf.Empty;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.openkcm.keystore.pluginhost.internal.Handshake.HandshakeException;
import org.openkcm.keystore.proto.v1.ConfigureRequest;
import org.openkcm.keystore.proto.v1.HealthRequest;
import org.openkcm.keystore.proto.v1.InfoRequest;
import org.openkcm.keystore.proto.v1.InfoResponse;
import org.openkcm.keystore.proto.v1.KeystoreOperationsGrpc;
import org.openkcm.keystore.proto.v1.PluginConfigGrpc;
import org.openkcm.keystore.spi.BackendInfo;

/**
 * One launch of a plugin: checksum, process with an empty environment plus the entry's, go-plugin
 * handshake, AutoMTLS channel over the Unix socket, stdio drained, health and configure steps.
 * Either {@link #launch} returns a process ready to be registered or it throws one {@link
 * HandshakeException} saying why, with the process killed and nothing left behind.
 */
final class PluginProcess {
  static final String PROTOCOL_VERSION = "1";
  private static final Duration RETRY = Duration.ofSeconds(1);

  private final PluginSettings settings;
  private final Process process;
  private final OutputStream stdin;
  private final Path socketDir;
  private final ManagedChannel channel;
  private final RemoteKeystore keystore;

  private PluginProcess(
      PluginSettings settings,
      Process process,
      OutputStream stdin,
      Path socketDir,
      ManagedChannel channel,
      RemoteKeystore keystore) {
    this.settings = settings;
    this.process = process;
    this.stdin = stdin;
    this.socketDir = socketDir;
    this.channel = channel;
    this.keystore = keystore;
  }

  static PluginProcess launch(PluginSettings s, EventLoopGroup group, PluginLog log)
      throws HandshakeException {
    checkExecutable(s);
    Process process = null;
    Path dir = null;
    ManagedChannel channel = null;
    try {
      HostCertificate cert = HostCertificate.generate(Duration.ofDays(1));
      dir =
          Files.createTempDirectory(
              "openkcm-plugin-",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      List<String> command = new ArrayList<>();
      command.add(s.path().toString());
      command.addAll(s.args());
      ProcessBuilder pb = new ProcessBuilder(command).directory(s.path().getParent().toFile());
      Map<String, String> env = pb.environment();
      env.clear();
      env.putAll(s.env());
      env.put(PluginSettings.TYPE, PluginSettings.TYPE);
      env.put("PLUGIN_PROTOCOL_VERSIONS", PROTOCOL_VERSION);
      env.put("PLUGIN_CLIENT_CERT", cert.pem());
      env.put("PLUGIN_UNIX_SOCKET_DIR", dir.toString());
      env.put("KEYSTORE_PLUGIN_LOG_LEVEL", s.logLevel());
      env.put("KEYSTORE_PLUGIN_WATCH_STDIN", "1");
      process = pb.start();
      drain(process.getErrorStream(), "openkcm-plugin-stderr-" + s.name(), log::line, null);
      CompletableFuture<String> first = new CompletableFuture<>();
      drain(process.getInputStream(), "openkcm-plugin-stdout-" + s.name(), log::line, first);
      String line;
      try {
        line = first.get(s.startTimeout().toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        throw new HandshakeException(
            "never answered: no handshake line within " + s.startTimeout().toMillis() + " ms");
      }
      Handshake h = Handshake.parse(line);
      if (!h.socket().toAbsolutePath().normalize().startsWith(dir)) {
        throw new HandshakeException(
            "handshake: socket is outside the directory the host gave the plugin");
      }
      channel =
          NettyChannelBuilder.forAddress(UnixDomainSocketAddress.of(h.socket()))
              .channelType(NioDomainSocketChannel.class)
              .eventLoopGroup(group)
              .overrideAuthority("localhost")
              // the core retries a call on a replacement itself; grpc's transparent retry would
              // only add a buffered copy of every request and a wrapper stream per call
              .disableRetry()
              .sslContext(
                  GrpcSslContexts.forClient()
                      .keyManager(cert.key(), cert.certificate())
                      .trustManager(h.serverCertificate())
                      .build())
              .build();
      streamStdio(channel, log);
      check(s, channel);
      BackendInfo info = configure(s, channel);
      return new PluginProcess(
          s,
          process,
          process.getOutputStream(),
          dir,
          channel,
          new RemoteKeystore(s.name(), channel, s.callTimeout(), info, RETRY));
    } catch (HandshakeException e) {
      cleanup(process, channel, dir);
      throw e;
    } catch (GeneralSecurityException | IOException e) {
      cleanup(process, channel, dir);
      throw new HandshakeException("could not be started (" + e.getClass().getSimpleName() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      cleanup(process, channel, dir);
      throw new HandshakeException("start interrupted");
    } catch (ExecutionException | RuntimeException e) {
      cleanup(process, channel, dir);
      throw new HandshakeException("could not be started (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static void checkExecutable(PluginSettings s) throws HandshakeException {
    if (!s.executablePresent()) {
      throw new HandshakeException("executable " + s.path() + " is missing or not a regular file");
    }
    byte[] actual;
    try (InputStream in = Files.newInputStream(s.path())) {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[64 * 1024];
      for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
        d.update(buf, 0, n);
      }
      actual = d.digest();
    } catch (IOException | GeneralSecurityException e) {
      throw new HandshakeException("executable " + s.path() + " cannot be read");
    }
    if (!MessageDigest.isEqual(actual, s.checksum())) {
      throw new HandshakeException(
          "checksum mismatch: "
              + s.path()
              + " has SHA-256 "
              + HexFormat.of().formatHex(actual)
              + ", the entry says "
              + HexFormat.of().formatHex(s.checksum()));
    }
  }

  private static void check(PluginSettings s, ManagedChannel channel) throws HandshakeException {
    try {
      HealthCheckResponse.ServingStatus st =
          HealthGrpc.newBlockingStub(channel)
              .withDeadlineAfter(s.startTimeout().toMillis(), TimeUnit.MILLISECONDS)
              .check(HealthCheckRequest.newBuilder().setService("plugin").build())
              .getStatus();
      if (st != HealthCheckResponse.ServingStatus.SERVING) {
        throw new HandshakeException("grpc.health.v1 'plugin' is " + st);
      }
      KeystoreOperationsGrpc.newBlockingStub(channel)
          .withDeadlineAfter(s.callTimeout().toMillis(), TimeUnit.MILLISECONDS)
          .health(HealthRequest.getDefaultInstance());
    } catch (StatusRuntimeException e) {
      throw new HandshakeException(
          "did not answer the health checks over its socket (" + e.getStatus().getCode() + ")");
    }
  }

  private static BackendInfo configure(PluginSettings s, ManagedChannel channel)
      throws HandshakeException {
    try {
      PluginConfigGrpc.newBlockingStub(channel)
          .withDeadlineAfter(s.callTimeout().toMillis(), TimeUnit.MILLISECONDS)
          .configure(
              ConfigureRequest.newBuilder().setYamlConfiguration(s.yamlConfiguration()).build());
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.UNIMPLEMENTED
          || !s.yamlConfiguration().isBlank()) {
        throw new HandshakeException(
            "rejected its yamlConfiguration ("
                + e.getStatus().getCode()
                + ": "
                + RemoteErrors.printable(e.getStatus().getDescription())
                + ")");
      }
    }
    try {
      InfoResponse i =
          KeystoreOperationsGrpc.newBlockingStub(channel)
              .withDeadlineAfter(s.callTimeout().toMillis(), TimeUnit.MILLISECONDS)
              .info(InfoRequest.getDefaultInstance());
      if (i.getMaxRecordBytes() <= 0) {
        throw new HandshakeException("Info: maxRecordBytes must be positive");
      }
      return new BackendInfo(
          s.name(),
          i.getPersistent(),
          i.getMaxRecordBytes(),
          "go-plugin "
              + s.path().getFileName()
              + ": "
              + RemoteErrors.printable(i.getDescription()));
    } catch (StatusRuntimeException e) {
      throw new HandshakeException("did not answer Info (" + e.getStatus().getCode() + ")");
    }
  }

  /**
   * go-plugin forwards the plugin's os.Stdout/os.Stderr on this stream; open it early or the plugin
   * may block.
   */
  private static void streamStdio(ManagedChannel channel, PluginLog log) {
    ClientCalls.asyncServerStreamingCall(
        channel.newCall(GoPluginServices.STDIO, CallOptions.DEFAULT),
        Empty.getDefaultInstance(),
        new StreamObserver<String>() {
          @Override
          public void onNext(String text) {
            text.lines().forEach(log::line);
          }

          @Override
          public void onError(Throwable t) {
            // the stream ends with the process
          }

          @Override
          public void onCompleted() {
            // the stream ends with the process
          }
        });
  }

  private static void drain(
      InputStream in,
      String thread,
      java.util.function.Consumer<String> sink,
      CompletableFuture<String> first) {
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                if (first != null) {
                  first.complete(r.readLine());
                }
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                  sink.accept(line);
                }
              } catch (IOException e) {
                if (first != null) {
                  first.complete(null);
                }
              }
            },
            thread);
    t.setDaemon(true);
    t.start();
  }

  private static void cleanup(Process process, ManagedChannel channel, Path dir) {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (process != null) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      try {
        process.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    deleteDir(dir);
  }

  private static void deleteDir(Path dir) {
    if (dir == null) {
      return;
    }
    try (var files = Files.list(dir)) {
      files.forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // already gone
    }
    dir.toFile().delete();
  }

  RemoteKeystore keystore() {
    return keystore;
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /**
   * @return whether the process exited within the wait
   */
  boolean waitForExit(Duration wait) throws InterruptedException {
    return process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * @return whether grpc.health.v1 says "plugin" is serving, within the call deadline
   */
  boolean healthy() {
    try {
      return HealthGrpc.newBlockingStub(channel)
              .withDeadlineAfter(settings.callTimeout().toMillis(), TimeUnit.MILLISECONDS)
              .check(HealthCheckRequest.newBuilder().setService("plugin").build())
              .getStatus()
          == HealthCheckResponse.ServingStatus.SERVING;
    } catch (StatusRuntimeException e) {
      return false;
    }
  }

  /**
   * Controller/Shutdown, about 2 s to exit, then kill; the channel, stdin and socket folder are
   * released.
   */
  void stop() {
    if (process.isAlive()) {
      try {
        ClientCalls.blockingUnaryCall(
            channel,
            GoPluginServices.SHUTDOWN,
            CallOptions.DEFAULT.withDeadlineAfter(1, TimeUnit.SECONDS),
            Empty.getDefaultInstance());
      } catch (StatusRuntimeException e) {
        // the process is going away either way
      }
    }
    channel.shutdownNow();
    try {
      if (!process.waitFor(2, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    try {
      stdin.close();
    } catch (IOException e) {
      // closed with the process
    }
    deleteDir(socketDir);
  }
}
