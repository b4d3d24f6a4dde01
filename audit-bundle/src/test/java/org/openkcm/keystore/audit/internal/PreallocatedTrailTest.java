package org.openkcm.keystore.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live file is preallocated with zeros and overwritten in place: the zero tail is the end for
 * the reader, the verifier and a restart; rotation and close cut it; blanked-out entries are found.
 */
class PreallocatedTrailTest {
  @TempDir Path dir;

  private Path file() {
    return dir.resolve("audit.log");
  }

  /** Five entries in a closed (sealed) file, then the zero tail a killed writer leaves behind. */
  private List<String> fiveEntriesThenZeros(String torn) throws Exception {
    FileAuditSink sink = Trails.sink(file());
    for (int i = 1; i <= 5; i++) {
      sink.append(Trails.event(i));
    }
    sink.close();
    List<String> lines = Files.readAllLines(file(), StandardCharsets.UTF_8);
    try (FileChannel ch = FileChannel.open(file(), StandardOpenOption.WRITE)) {
      long at = ch.size();
      at += ch.write(ByteBuffer.wrap(torn.getBytes(StandardCharsets.UTF_8)), at);
      ch.write(ByteBuffer.allocate(1 << 20), at);
    }
    return lines;
  }

  private static long entriesEnd(Path f) throws Exception {
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
      return TrailReader.contentEnd(ch);
    }
  }

  @Test
  void theLiveFileIsExtendedAheadAndEntriesOverwriteItsZeroTail() throws Exception {
    FileAuditSink sink = Trails.sink(file());
    for (int i = 1; i <= 3; i++) {
      sink.append(Trails.event(i));
    }
    long end = entriesEnd(file());
    assertThat(Files.size(file())).isGreaterThanOrEqualTo(end + 1024 * 1024);
    try (FileChannel ch = FileChannel.open(file(), StandardOpenOption.READ)) {
      assertThat(TrailReader.nonZeroAfter(ch, end)).isEqualTo(-1);
    }
    List<String> lines = Trails.entries(file());
    assertThat(lines).hasSize(3).allSatisfy(l -> assertThat(l).doesNotContain("\0"));
    assertThat(Files.readString(file()).substring(0, (int) end)).endsWith("\n");
    assertThat(sink.verify(null).checked()).isEqualTo(3);
    sink.close();
  }

  @Test
  void closeCutsTheZeroTail() throws Exception {
    FileAuditSink sink = Trails.sink(file());
    sink.append(Trails.event(1));
    sink.close();
    assertThat(Files.size(file())).isEqualTo(entriesEnd(file()));
    assertThat(Files.readString(file())).endsWith("\n").doesNotContain("\0");
  }

  @Test
  void aRestartOnAZeroTailContinuesTheChainRightAfterTheLastEntry() throws Exception {
    List<String> before = fiveEntriesThenZeros("");
    FileAuditSink sink = Trails.sink(file());
    sink.append(Trails.event(6));
    ChainVerifier.Report r = sink.verify(null);
    List<String> after = Trails.entries(file());
    sink.close();
    assertThat(r.ok()).as(r.toString()).isTrue();
    assertThat(r.checked()).isEqualTo(6);
    assertThat(after).hasSize(6).startsWith(before.toArray(String[]::new));
    assertThat(after.get(5)).startsWith("{\"seq\":6,").contains("\"subject\":\"n6\"");
    assertThat(Files.readString(file())).doesNotContain("\0");
  }

  @Test
  void aTornLineBeforeAZeroTailIsDroppedAtStart() throws Exception {
    fiveEntriesThenZeros("{\"seq\":6,\"time\":\"20");
    FileAuditSink sink = Trails.sink(file());
    sink.append(Trails.event(7));
    ChainVerifier.Report r = sink.verify(null);
    List<String> after = Trails.entries(file());
    sink.close();
    assertThat(r.ok()).as(r.toString()).isTrue();
    assertThat(after).hasSize(6);
    assertThat(after.get(5)).startsWith("{\"seq\":6,").contains("\"subject\":\"n7\"");
  }

  @Test
  void theVerifierReadsAZeroTailAsTheEndOfACopiedFile() throws Exception {
    fiveEntriesThenZeros("");
    ChainVerifier.Report r = Trails.verify(file());
    assertThat(r.ok()).as(r.toString()).isTrue();
    assertThat(r.checked()).isEqualTo(5);
  }

  @Test
  void aBlankedOutEntryIsFound() throws Exception {
    List<String> lines = fiveEntriesThenZeros("");
    long from = lines.get(0).length() + 1 + lines.get(1).length() + 1;
    try (FileChannel ch = FileChannel.open(file(), StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(lines.get(2).length() + 1), from); // entry 3 zeroed
    }
    ChainVerifier.Report r = Trails.verify(file());
    assertThat(r.ok()).isFalse();
    assertThat(r.checked()).isEqualTo(2);
    assertThat(r.firstBad()).startsWith("audit.log:3 zero bytes").contains("blanked out");
  }

  @Test
  void rotationCountsEntriesNotThePreallocatedLengthAndCutsTheOldFile() throws Exception {
    FileAuditSink sink = Trails.sink(file(), 4096, 100);
    for (int i = 1; i <= 60; i++) {
      sink.append(Trails.event(i));
    }
    List<Path> rotated = new LogFiles(file()).rotated();
    assertThat(rotated).hasSizeBetween(2, 5);
    for (Path f : rotated) {
      String text = Files.readString(f);
      assertThat(text).endsWith("\n").doesNotContain("\0");
      assertThat(text.length()).isBetween(4096, 4096 + 1024);
    }
    assertThat(sink.verify(null).ok()).isTrue();
    sink.close();
  }
}
