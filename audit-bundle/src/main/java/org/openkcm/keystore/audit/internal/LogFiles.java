package org.openkcm.keystore.audit.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The files of one trail: the live file {@code name} and the rotated ones {@code name.<last seq, 20
 * digits>}, whose names sort in the order they were written.
 */
final class LogFiles {
  private final Path live;

  LogFiles(Path live) {
    this.live = live.toAbsolutePath();
  }

  Path live() {
    return live;
  }

  Path rotatedName(long lastSeq) {
    return live.resolveSibling(live.getFileName() + "." + String.format("%020d", lastSeq));
  }

  /**
   * @return rotated files oldest first, then the live file if it exists
   */
  List<Path> inOrder() throws IOException {
    List<Path> out = new ArrayList<>(rotated());
    if (Files.exists(live)) {
      out.add(live);
    }
    return out;
  }

  List<Path> rotated() throws IOException {
    Path dir = live.getParent();
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    String prefix = live.getFileName() + ".";
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith(prefix))
          .filter(p -> p.getFileName().toString().substring(prefix.length()).matches("\\d{20}"))
          .sorted()
          .toList();
    }
  }

  /** Makes a rename or a creation in the directory durable. */
  void syncDirectory() throws IOException {
    try (FileChannel d = FileChannel.open(live.getParent(), StandardOpenOption.READ)) {
      d.force(true);
    }
  }
}
