package org.openkcm.keystore.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openkcm.keystore.audit.AuditUnavailableException;

/** Group commit, rotation with retention, restart continuing the chain, a failing key source. */
class ChainedLogTest {
  @TempDir Path dir;

  @Test
  void concurrentEntriesShareFlushesAndAllAreChained() throws Exception {
    Path file = dir.resolve("audit.log");
    FileAuditSink sink = Trails.sink(file);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    AtomicInteger n = new AtomicInteger();
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      done.add(
          pool.submit(
              () -> {
                for (int i = 0; i < 100; i++) {
                  sink.append(Trails.event(n.incrementAndGet()));
                }
                return null;
              }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
    ChainVerifier.Report r = sink.verify(null);
    assertThat(r.ok()).isTrue();
    assertThat(r.checked()).isEqualTo(800);
    assertThat(sink.commits()).isLessThan(800); // some flushes carried several entries
    sink.close();
  }

  @Test
  void rotationKeepsTheChainAcrossFilesAndRetentionDropsTheOldest() throws Exception {
    Path file = dir.resolve("audit.log");
    FileAuditSink sink = Trails.sink(file, 4096, 2);
    for (int i = 1; i <= 200; i++) {
      sink.append(Trails.event(i));
    }
    LogFiles files = new LogFiles(file);
    assertThat(files.rotated()).hasSize(2);
    ChainVerifier.Report r = sink.verify(null);
    assertThat(r.ok()).isTrue();
    assertThat(r.lastSeq()).isEqualTo(200);
    assertThat(r.checked()).isLessThan(200); // the oldest files are gone, the rest is anchored
    assertThat(Files.size(files.rotated().get(0))).isLessThan(4096 + 1024);
    sink.close();
  }

  @Test
  void aRestartContinuesTheChain() throws Exception {
    Path file = dir.resolve("audit.log");
    FileAuditSink first = Trails.sink(file);
    first.append(Trails.event(1));
    first.close();
    FileAuditSink second = Trails.sink(file);
    second.append(Trails.event(2));
    ChainVerifier.Report r = second.verify(null);
    assertThat(r.ok()).isTrue();
    assertThat(r.checked()).isEqualTo(2);
    second.close();
  }

  @Test
  void aTornLastLineIsDroppedAtStart() throws Exception {
    Path file = dir.resolve("audit.log");
    FileAuditSink first = Trails.sink(file);
    first.append(Trails.event(1));
    first.close();
    Files.writeString(file, "{\"seq\":2,\"time\":\"20", java.nio.file.StandardOpenOption.APPEND);
    FileAuditSink second = Trails.sink(file);
    second.append(Trails.event(2));
    assertThat(second.verify(null).ok()).isTrue();
    assertThat(Trails.entries(file)).hasSize(2);
    second.close();
  }

  @Test
  void anEntryThatCannotBeChainedIsNotAcknowledged() throws Exception {
    FileAuditSink sink =
        new FileAuditSink(
            dir.resolve("audit.log"),
            () -> {
              throw new IllegalStateException("root key provider sealed");
            },
            1 << 20,
            1,
            10_000);
    assertThatThrownBy(() -> sink.append(Trails.event(1)))
        .isInstanceOf(AuditUnavailableException.class)
        .hasMessageContaining("audit file could not be written");
    assertThat(sink.writable()).isFalse();
    assertThat(Files.size(dir.resolve("audit.log"))).isZero();
    sink.close();
  }
}
