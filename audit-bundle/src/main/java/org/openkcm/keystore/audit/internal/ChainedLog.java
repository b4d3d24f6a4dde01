package org.openkcm.keystore.audit.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trail's writer: callers queue an entry and wait; one thread takes every queued entry, chains
 * them, writes them in one write and makes them durable with one {@code force} (group commit), then
 * releases the callers. A failed write fails its callers and leaves the file as it was before the
 * batch; the next batch tries again. Rotates by size, keeping {@code retain} rotated files.
 */
final class ChainedLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ChainedLog.class);
  private static final int MAX_BATCH = 4096;
  private static final long RETRY_NANOS = 1_000_000_000L;

  /** Derives the chain key; may fail while the root key provider is unavailable. */
  interface KeySource {
    byte[] derive() throws Exception;
  }

  private record Pending(String fields, CompletableFuture<Long> done) {}

  private final LogFiles files;
  private final KeySource keys;
  private final long maxBytes;
  private final int retain;
  private final BlockingQueue<Pending> queue;
  private final Thread writer;
  private volatile boolean running = true;
  private volatile long failedAt;
  private ChainMac mac;
  private FileChannel channel;
  private long seq;
  private long commits;
  private String prev = ChainMac.GENESIS;

  ChainedLog(Path file, KeySource keys, long maxBytes, int retain, int capacity)
      throws IOException {
    this.files = new LogFiles(file);
    this.keys = keys;
    this.maxBytes = maxBytes;
    this.retain = retain;
    this.queue = new ArrayBlockingQueue<>(capacity);
    Files.createDirectories(files.live().getParent());
    recover();
    this.writer = new Thread(this::run, "keystore-audit-writer");
    writer.setDaemon(true);
    writer.start();
  }

  /**
   * @return a future completed with the entry's sequence number once it is durable, or failed
   */
  CompletableFuture<Long> submit(String fields) {
    CompletableFuture<Long> done = new CompletableFuture<>();
    if (!running || !queue.offer(new Pending(fields, done))) {
      done.completeExceptionally(
          new IOException(running ? "audit queue full" : "audit trail closed"));
    }
    return done;
  }

  /**
   * @return false while the last write failed less than a second ago (after that one operation may
   *     try again: its entry is written, or it is not acknowledged)
   */
  boolean writable() {
    long f = failedAt;
    return running && (f == 0 || System.nanoTime() - f > RETRY_NANOS);
  }

  /** Verifies the whole trail while no batch is being written. */
  synchronized ChainVerifier.Report verify() throws IOException {
    if (mac == null) {
      try {
        mac = new ChainMac(keys.derive());
      } catch (Exception e) {
        throw new IOException("the chain key cannot be derived: " + e.getMessage(), e);
      }
    }
    return new ChainVerifier(mac).verify(files.inOrder(), seq);
  }

  /** Verifies one file (e.g. a copy handed to an auditor). */
  synchronized ChainVerifier.Report verify(Path file) throws IOException {
    verify(); // derives the key when needed
    return new ChainVerifier(mac).verify(List.of(file), -1);
  }

  int pending() {
    return queue.size();
  }

  synchronized long lastSeq() {
    return seq;
  }

  /**
   * @return batches made durable so far (each one flush)
   */
  synchronized long commits() {
    return commits;
  }

  LogFiles files() {
    return files;
  }

  /** Picks up the chain where the last run left it; drops a torn last line (never acknowledged). */
  private void recover() throws IOException {
    List<Path> all = files.inOrder();
    for (int i = all.size() - 1; i >= 0; i--) {
      EntryLine last = TrailReader.lastEntry(all.get(i), all.get(i).equals(files.live()));
      if (last != null) {
        seq = last.seq();
        prev = last.mac();
        break;
      }
    }
    openLive();
  }

  private void openLive() throws IOException {
    TrailReader.lastEntry(files.live(), true); // a torn tail was never acknowledged: drop it
    channel =
        FileChannel.open(
            files.live(),
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.READ);
    channel.position(channel.size());
    files.syncDirectory();
  }

  private void run() {
    List<Pending> batch = new ArrayList<>();
    while (running) {
      try {
        Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, MAX_BATCH - 1);
        commit(batch);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } finally {
        batch.clear();
      }
    }
    Pending p;
    while ((p = queue.poll()) != null) {
      p.done().completeExceptionally(new IOException("audit trail closed"));
    }
  }

  private void commit(List<Pending> batch) {
    long[] seqs = new long[batch.size()];
    synchronized (this) {
      long seqBefore = seq;
      String prevBefore = prev;
      long sizeBefore = -1;
      try {
        ensureReady();
        sizeBefore = channel.size();
        StringBuilder text = new StringBuilder(batch.size() * 320);
        for (int i = 0; i < batch.size(); i++) {
          String signed = EntryLine.signedText(seq + 1, batch.get(i).fields(), prev);
          String m = mac.of(signed);
          text.append(EntryLine.line(signed, m));
          seq++;
          prev = m;
          seqs[i] = seq;
        }
        ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
        channel.force(false);
        commits++;
        failedAt = 0;
      } catch (Exception e) {
        seq = seqBefore;
        prev = prevBefore;
        failedAt = Math.max(1, System.nanoTime());
        undo(sizeBefore);
        LOG.error(
            "Audit entries not written ({}): their operations are not acknowledged", e.toString());
        batch.forEach(p -> p.done().completeExceptionally(e));
        return;
      }
    }
    for (int i = 0; i < batch.size(); i++) {
      batch.get(i).done().complete(seqs[i]);
    }
  }

  private void ensureReady() throws Exception {
    if (mac == null) {
      mac = new ChainMac(keys.derive());
    }
    if (channel == null || !channel.isOpen()) {
      openLive();
    }
    if (channel.size() >= maxBytes) {
      rotate();
    }
  }

  private void rotate() throws IOException {
    channel.force(true);
    channel.close();
    Files.move(files.live(), files.rotatedName(seq), StandardCopyOption.ATOMIC_MOVE);
    openLive();
    List<Path> old = files.rotated();
    for (int i = 0; i < old.size() - retain; i++) {
      Files.deleteIfExists(old.get(i));
    }
    LOG.info("Audit trail rotated at entry {}", seq);
  }

  private void undo(long sizeBefore) {
    try {
      if (channel != null && channel.isOpen() && sizeBefore >= 0) {
        channel.truncate(sizeBefore);
        channel.position(sizeBefore);
      }
    } catch (IOException e) {
      closeChannel(); // reopened (and its tail checked) by the next batch
    }
  }

  private void closeChannel() {
    try {
      if (channel != null) {
        channel.close();
      }
    } catch (IOException e) {
      LOG.warn("Audit file close failed: {}", e.toString());
    }
    channel = null;
  }

  @Override
  public void close() {
    running = false;
    writer.interrupt();
    try {
      writer.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      closeChannel();
      if (mac != null) {
        mac.close();
      }
    }
  }
}
