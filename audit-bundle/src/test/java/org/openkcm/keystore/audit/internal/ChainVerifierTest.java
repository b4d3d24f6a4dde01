package org.openkcm.keystore.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chain finds an edited, a removed, a reordered entry and a removed tail. */
class ChainVerifierTest {
  @TempDir Path dir;
  private Path file;
  private List<String> lines;

  @BeforeEach
  void writeTen() throws Exception {
    file = dir.resolve("audit.log");
    FileAuditSink sink = Trails.sink(file);
    for (int i = 1; i <= 10; i++) {
      sink.append(Trails.event(i));
    }
    assertThat(sink.verify(null).ok()).isTrue();
    sink.close();
    lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
  }

  private void rewrite() throws Exception {
    Files.write(file, lines, StandardCharsets.UTF_8);
  }

  @Test
  void anIntactTrailVerifiesWithItsCount() throws Exception {
    ChainVerifier.Report r = Trails.verify(file);
    assertThat(r.ok()).isTrue();
    assertThat(r.checked()).isEqualTo(10);
    assertThat(r.lastSeq()).isEqualTo(10);
    assertThat(lines.get(0))
        .startsWith("{\"seq\":1,\"time\":\"2026-01-01T00:00:00Z\",\"actor\":\"grpc:CN=billing\"")
        .contains("\"op\":\"key.create\"", "\"tier\":\"L4\"", "\"owner\":\"service:billing\"")
        .contains("\"backend\":\"inmemory\"", "\"outcome\":\"ok\"", "\"duration_us\":12");
  }

  @Test
  void anEditedEntryIsFound() throws Exception {
    lines.set(4, lines.get(4).replace("\"outcome\":\"ok\"", "\"outcome\":\"KeyNotFound\""));
    rewrite();
    ChainVerifier.Report r = Trails.verify(file);
    assertThat(r.ok()).isFalse();
    assertThat(r.checked()).isEqualTo(4);
    assertThat(r.firstBad()).startsWith("audit.log:5 (entry 5)").contains("edited");
  }

  @Test
  void aRemovedEntryIsFound() throws Exception {
    lines.remove(6);
    rewrite();
    ChainVerifier.Report r = Trails.verify(file);
    assertThat(r.checked()).isEqualTo(6);
    assertThat(r.firstBad()).startsWith("audit.log:7 (entry 8)").contains("removed or");
  }

  @Test
  void reorderedEntriesAreFound() throws Exception {
    Collections.swap(lines, 2, 3);
    rewrite();
    ChainVerifier.Report r = Trails.verify(file);
    assertThat(r.checked()).isEqualTo(2);
    assertThat(r.firstBad()).startsWith("audit.log:3 (entry 4)").contains("reordered");
  }

  @Test
  void aRemovedTailIsFoundOnTheLiveTrail() throws Exception {
    FileAuditSink sink = Trails.sink(file);
    sink.append(Trails.event(11));
    List<String> now = new ArrayList<>(Trails.entries(file));
    Files.write(file, now.subList(0, 9), StandardCharsets.UTF_8);
    ChainVerifier.Report r = sink.verify(null);
    sink.close();
    assertThat(r.ok()).isFalse();
    assertThat(r.checked()).isEqualTo(9);
    assertThat(r.firstBad()).contains("last entry is 9 but 11 were written");
  }

  @Test
  void anEntryForgedWithoutTheKeyIsFound() throws Exception {
    // a forger recomputes nothing: it copies entry 10 as entry 11 with a plausible shape
    String forged = lines.get(9).replace("{\"seq\":10,", "{\"seq\":11,");
    lines.add(forged);
    rewrite();
    ChainVerifier.Report r = Trails.verify(file);
    assertThat(r.checked()).isEqualTo(10);
    assertThat(r.firstBad()).startsWith("audit.log:11 (entry 11)").contains("edited");
  }
}
