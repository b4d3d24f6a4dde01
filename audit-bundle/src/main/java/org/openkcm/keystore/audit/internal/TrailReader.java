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
      while (buf.hasRemaining() && ch.read(buf, size - n + buf.position()) > 0) {
        // read the whole tail
      }
      byte[] b = buf.array();
      int end = lastNewline(b, n - 1);
      if (end < n - 1 && dropTorn) {
        ch.truncate(size - n + end + 1); // bytes, not characters: a torn line may end mid-character
        ch.force(true);
      }
      if (end < 0) {
        return null;
      }
      int start = lastNewline(b, end - 1) + 1;
      return EntryLine.parse(new String(b, start, end - start, StandardCharsets.UTF_8));
    }
  }

  private static int lastNewline(byte[] b, int from) {
    for (int i = from; i >= 0; i--) {
      if (b[i] == '\n') {
        return i;
      }
    }
    return -1;
  }
}
