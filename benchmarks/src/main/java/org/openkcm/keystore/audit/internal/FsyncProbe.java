package org.openkcm.keystore.audit.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The disk's floor for one durable entry in the benchmark's own directory: a 300-byte overwrite
 * inside a preallocated (zero-filled, synced) file followed by {@code force(false)}, as the trail's
 * writer does per flush. With N callers each waiting for its own entry, N / this is the most the
 * audited door can do.
 */
final class FsyncProbe {
  static final int SAMPLES = 400;

  private FsyncProbe() {}

  /**
   * @return the median latency in microseconds
   */
  static double micros(Path dir) throws IOException {
    Path f = dir.resolve("fsync-probe.bin");
    long[] nanos = new long[SAMPLES];
    try (FileChannel ch =
        FileChannel.open(
            f, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ch.truncate(0);
      ch.write(ByteBuffer.allocate(SAMPLES * 300), 0);
      ch.force(true);
      byte[] line = new byte[300];
      Arrays.fill(line, (byte) 'x');
      for (int i = 0; i < SAMPLES; i++) {
        long t0 = System.nanoTime();
        ch.write(ByteBuffer.wrap(line), i * 300L);
        ch.force(false);
        nanos[i] = System.nanoTime() - t0;
      }
    } finally {
      Files.deleteIfExists(f);
    }
    Arrays.sort(nanos);
    return nanos[SAMPLES / 2] / 1000.0;
  }
}
