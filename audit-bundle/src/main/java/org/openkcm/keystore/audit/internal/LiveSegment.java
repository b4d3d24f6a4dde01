package org.openkcm.keystore.audit.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The live trail file, extended ahead in large zero-filled chunks that are made durable once, so
 * that each commit overwrites bytes already allocated and its {@code force(false)} (fdatasync) has
 * no file size to flush. {@link #end()} is where the entries end; the zero tail after it is cut off
 * when the file is sealed (rotated or closed) and at the next start ({@link TrailReader}).
 */
final class LiveSegment implements AutoCloseable {
  private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(256 * 1024).asReadOnlyBuffer();

  private final FileChannel ch;
  private final long chunk;
  private final long limit;
  private long end;
  private long allocated;

  /**
   * @param chunk how far ahead the file is extended at a time
   * @param limit extend no further than this (the rotation size plus a batch's slack)
   */
  private LiveSegment(FileChannel ch, long chunk, long limit) throws IOException {
    this.ch = ch;
    this.chunk = chunk;
    this.limit = limit;
    this.end = ch.size();
    this.allocated = end;
  }

  /** Opens the live file after cutting a torn last line and the zero tail (never acknowledged). */
  static LiveSegment open(Path file, long chunk, long limit) throws IOException {
    TrailReader.lastEntry(file, true);
    return new LiveSegment(
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ),
        chunk,
        limit);
  }

  /**
   * @return the real end of the entries (not the preallocated length)
   */
  long end() {
    return end;
  }

  long allocated() {
    return allocated;
  }

  /** Writes {@code bytes} at the end and makes them durable; a failure leaves {@link #end()}. */
  void append(byte[] bytes) throws IOException {
    if (end + bytes.length > allocated) {
      extend(end + bytes.length);
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    long pos = end;
    while (b.hasRemaining()) {
      pos += ch.write(b, pos);
    }
    ch.force(false);
    end = pos;
  }

  private void extend(long need) throws IOException {
    long ahead = Math.max(need, Math.min(allocated + chunk, limit));
    try {
      zeroFill(ahead);
    } catch (IOException e) {
      ch.truncate(allocated); // e.g. a nearly full disk: still room for this batch?
      zeroFill(need);
    }
  }

  private void zeroFill(long target) throws IOException {
    long pos = allocated;
    while (pos < target) {
      ByteBuffer z = ZEROS.duplicate();
      z.limit((int) Math.min(z.capacity(), target - pos));
      pos += ch.write(z, pos);
    }
    ch.force(false);
    allocated = target;
  }

  /** Drops what a failed append left after the end (the next append extends again). */
  void cutToEnd() throws IOException {
    ch.truncate(end);
    allocated = end;
  }

  /** Cuts the zero tail and makes the file's size durable (before a rotation or a close). */
  void seal() throws IOException {
    cutToEnd();
    ch.force(true);
  }

  boolean isOpen() {
    return ch.isOpen();
  }

  @Override
  public void close() throws IOException {
    ch.close();
  }
}
