package org.openkcm.keystore.audit.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.openkcm.keystore.audit.OperationEvent;

/** Test trails: a fixed chain key, events numbered in their subject. */
final class Trails {
  private Trails() {}

  static byte[] key() {
    byte[] k = new byte[32];
    Arrays.fill(k, (byte) 7);
    return k;
  }

  static FileAuditSink sink(Path file) throws IOException {
    return sink(file, 64L * 1024 * 1024, 10);
  }

  static FileAuditSink sink(Path file, long maxBytes, int retain) throws IOException {
    return new FileAuditSink(file, Trails::key, maxBytes, retain, 10_000);
  }

  static OperationEvent event(int n) {
    return OperationEvent.builder("key.create", Instant.parse("2026-01-01T00:00:00Z"))
        .actor("grpc:CN=billing")
        .bundle("org.openkcm.keystore.grpc")
        .key("l4-" + String.format("%032x", n), 1)
        .tier("L4")
        .owner("service:billing")
        .backend("inmemory")
        .subject("n" + n)
        .durationNanos(12_000)
        .build();
  }

  /**
   * @return the complete lines of a trail file as a consumer reads them: up to the first zero byte
   *     (the live file's preallocated tail), each ending with a newline
   */
  static List<String> entries(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    int zero = text.indexOf('\0');
    String content = zero < 0 ? text : text.substring(0, zero);
    return content.lines().toList();
  }

  static ChainVerifier.Report verify(Path... files) throws IOException {
    try (ChainMac mac = new ChainMac(key())) {
      return new ChainVerifier(mac).verify(Arrays.asList(files), -1);
    }
  }
}
