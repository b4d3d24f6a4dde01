package org.openkcm.keystore.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer JVM killed with SIGKILL under load (8 threads, rotation on): every entry it acknowledged
 * is in the trail, and the trail verifies after the restart dropped the torn line and the
 * preallocated zero tail the writer was overwriting.
 */
class KillNineTest {
  @TempDir Path dir;

  @Test
  void noAcknowledgedEntryIsLost() throws Exception {
    Path file = dir.resolve("audit.log");
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                AuditWriterMain.class.getName(),
                file.toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    Set<String> acked = new HashSet<>();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("ACK ")) {
          acked.add("n" + line.substring(4));
        }
        if (acked.size() == 3000 && p.isAlive()) {
          p.toHandle().destroyForcibly(); // SIGKILL; what it printed before is still read
        }
      }
    }
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(137);
    assertThat(acked).hasSizeGreaterThanOrEqualTo(3000);

    long size = Files.size(file);
    long entriesEnd;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      entriesEnd = TrailReader.contentEnd(ch);
    }
    assertThat(size)
        .as("killed over the live file's preallocated zero tail (or right after a rotation)")
        .matches(s -> s > entriesEnd || s == 0);

    FileAuditSink restarted = Trails.sink(file, 256 * 1024, 100);
    ChainVerifier.Report report = restarted.verify(null);
    restarted.close();
    assertThat(report.ok()).as(report.toString()).isTrue();
    Set<String> inTrail = subjects(new LogFiles(file).inOrder());
    acked.removeAll(inTrail);
    assertThat(acked).as("acknowledged but missing").isEmpty();
    assertThat(report.checked()).isEqualTo(inTrail.size());
  }

  private static Set<String> subjects(List<Path> files) throws Exception {
    Set<String> out = new HashSet<>();
    for (Path f : files) {
      try (Stream<String> lines = Files.lines(f)) {
        out.addAll(
            lines
                .map(l -> l.replaceAll(".*\"subject\":\"(n\\d+)\".*", "$1"))
                .collect(Collectors.toSet()));
      }
    }
    return out;
  }
}
