package org.openkcm.keystore.audit.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads where a trail file ends. The live file is preallocated with zero bytes ({@link
 * LiveSegment}); an entry never contains a zero byte, so a file's entries end at its first zero
 * byte (or at its size), and everything after that must be zero.
 */
final class TrailReader {
  private static final int TAIL = 128 * 1024;
  private static final int BLOCK = 256 * 1024;

  private TrailReader() {}

  /**
   * @param dropTorn cut the file after the newline of its last complete entry: a line without one
   *     was being written when the process died (so its operation was never acknowledged), and the
   *     zero tail is preallocated again by the writer
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
      long contentEnd = contentEnd(ch);
      int n = (int) Math.min(contentEnd, TAIL);
      long from = contentEnd - n;
      byte[] b = read(ch, from, n);
      int end = lastNewline(b, n - 1);
      long completeEnd = from + end + 1; // bytes, not characters: a torn line may end mid-character
      if (dropTorn && completeEnd < ch.size()) {
        ch.truncate(completeEnd);
        ch.force(true);
      }
      if (end < 0) {
        return null;
      }
      int start = lastNewline(b, end - 1) + 1;
      return EntryLine.parse(new String(b, start, end - start, StandardCharsets.UTF_8));
    }
  }

  /**
   * @return the offset of the file's first zero byte, or its size if it has none
   */
  static long contentEnd(FileChannel ch) throws IOException {
    return scan(ch, 0, true);
  }

  /**
   * @return the offset of the first non-zero byte at or after {@code from}, or -1 if none
   */
  static long nonZeroAfter(FileChannel ch, long from) throws IOException {
    long at = scan(ch, from, false);
    return at < ch.size() ? at : -1;
  }

  /** The first byte at or after {@code from} that is zero ({@code zero}) or is not; else size. */
  private static long scan(FileChannel ch, long from, boolean zero) throws IOException {
    long size = ch.size();
    ByteBuffer buf = ByteBuffer.allocate(BLOCK);
    for (long pos = from; pos < size; ) {
      buf.clear();
      int got = ch.read(buf, pos);
      if (got <= 0) {
        break;
      }
      byte[] a = buf.array();
      for (int i = 0; i < got; i++) {
        if ((a[i] == 0) == zero) {
          return pos + i;
        }
      }
      pos += got;
    }
    return size;
  }

  private static byte[] read(FileChannel ch, long from, int n) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(n);
    while (buf.hasRemaining() && ch.read(buf, from + buf.position()) > 0) {
      // read the whole range
    }
    return buf.array();
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
