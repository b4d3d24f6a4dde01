package org.openkcm.keystore.audit.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Reads the end of a trail file: its last complete entry, dropping a torn last line on request. */
final class TrailReader {
  private static final int TAIL = 128 * 1024;

  private TrailReader() {}

  /**
   * @param dropTorn truncate the file after its last newline (a line without one was being written
   *     when the process died, so its operation was never acknowledged)
   * @return the last complete entry, or {@code null} if there is none
   */
  static EntryLine lastEntry(Path file, boolean dropTorn) throws IOException {
    if (!Files.exists(file)) {
      return null;
    }
    try (FileChannel ch =
        FileChannel.open(
            file,
            dropTorn ? StandardOpenOption.WRITE : StandardOpenOption.READ,
            StandardOpenOption.READ)) {
      long size = ch.size();
      int n = (int) Math.min(size, TAIL);
      ByteBuffer buf = ByteBuffer.allocate(n);
      ch.read(buf, size - n);
      String tail = new String(buf.array(), 0, n, StandardCharsets.UTF_8);
      int end = tail.lastIndexOf('\n');
      if (end < tail.length() - 1 && dropTorn) {
        ch.truncate(size - n + utf8Length(tail.substring(0, end + 1)));
        ch.force(true);
      }
      if (end < 0) {
        return null;
      }
      int start = tail.lastIndexOf('\n', end - 1) + 1;
      return EntryLine.parse(tail.substring(start, end));
    }
  }

  private static int utf8Length(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
