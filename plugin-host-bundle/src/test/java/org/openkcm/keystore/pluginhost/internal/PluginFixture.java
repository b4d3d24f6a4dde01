package org.openkcm.keystore.pluginhost.internal;

import static org.awaitility.Awaitility.await;

import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.openkcm.keystore.spi.Keystore;

/**
 * The real reference plugin (built by Maven from sdk/go) under a supervisor, with a registrar that
 * records what it publishes.
 */
final class PluginFixture implements AutoCloseable {
  static final Path BINARY =
      Path.of(System.getProperty("plugin.binary", "target/plugins/keystore-bbolt"))
          .toAbsolutePath();

  final AtomicReference<Keystore> registered = new AtomicReference<>();
  final AtomicInteger registrations = new AtomicInteger();
  final List<Map<String, Object>> properties = new java.util.concurrent.CopyOnWriteArrayList<>();
  final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  PluginSupervisor supervisor;

  static PluginSettings settings(
      String name,
      Path binary,
      List<String> args,
      Map<String, String> env,
      Duration startTimeout,
      String yaml) {
    return new PluginSettings(
        name,
        binary,
        args,
        env,
        sha256(binary),
        "info",
        List.of("test"),
        false,
        yaml,
        startTimeout,
        Duration.ofSeconds(2),
        Duration.ofMillis(300),
        Duration.ofSeconds(1));
  }

  static PluginSettings bbolt(String name, Path db) {
    return settings(
        name,
        BINARY,
        List.of("-db", db.toString(), "-name", name),
        Map.of(),
        Duration.ofSeconds(20),
        "maxRecordBytes: 65536\n");
  }

  PluginFixture start(PluginSettings s) {
    supervisor =
        new PluginSupervisor(
                s,
                group,
                (k, props) -> {
                  registered.set(k);
                  registrations.incrementAndGet();
                  properties.add(props);
                  return () -> registered.compareAndSet(k, null);
                },
                1,
                null)
            .start();
    return this;
  }

  Keystore awaitRegistered() {
    await().atMost(Duration.ofSeconds(30)).until(() -> registered.get() != null);
    return registered.get();
  }

  long pid() {
    return supervisor.pid();
  }

  @Override
  public void close() {
    if (supervisor != null) {
      supervisor.stop();
    }
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
  }

  static byte[] sha256(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return MessageDigest.getInstance("SHA-256").digest(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A shell script standing in for a misbehaving plugin. */
  static Path script(Path dir, String name, String body) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
    return p;
  }

  /**
   * @return the live descendants of this JVM started from {@code path}
   */
  static List<ProcessHandle> running(Path path) {
    List<ProcessHandle> out = new ArrayList<>();
    ProcessHandle.current()
        .descendants()
        .filter(ProcessHandle::isAlive)
        .filter(h -> h.info().commandLine().map(c -> c.contains(path.toString())).orElse(false))
        .forEach(out::add);
    return out;
  }
}
