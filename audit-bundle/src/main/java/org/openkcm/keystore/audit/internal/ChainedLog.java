package org.openkcm.keystore.audit.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trail's writer: callers queue an entry and wait; one thread takes every queued entry (and
 * waits briefly for the callers of the last flush, {@link CommitWindow}), chains them, writes them
 * in one write into the preallocated live file ({@link LiveSegment}) and makes them durable with
 * one {@code force} (group commit), then releases the callers. A failed write fails its callers and
 * leaves the file's entries as they were before the batch; the next batch tries again. Rotates by
 * size (of the entries, not the preallocated file), keeping {@code retain} rotated files.
 */
final class ChainedLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ChainedLog.class);
  private static final int MAX_BATCH = 4096;
  private static final long RETRY_NANOS = 1_000_000_000L;
  private static final long MAX_CHUNK = 8L * 1024 * 1024;
  private static final long MIN_CHUNK = 64 * 1024;

  /** Derives the chain key; may fail while the root key provider is unavailable. */
  interface KeySource {
    byte[] derive() throws Exception;
  }

  private record Pending(String fields, CompletableFuture<Long> done, Thread caller) {}

  private final LogFiles files;
  private final KeySource keys;
  private final long maxBytes;
  private final int retain;
  private final BlockingQueue<Pending> queue;
  private final CommitWindow window = new CommitWindow();
  private final Thread writer;
  private volatile boolean running = true;
  private volatile long failedAt;
  private ChainMac mac;
  private LiveSegment segment;
  private long seq;
  private long commits;
  private long committed;
  private long flushNanos;
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
    if (!running || !queue.offer(new Pending(fields, done, Thread.currentThread()))) {
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

  /**
   * @return entries made durable so far by this writer
   */
  synchronized long committed() {
    return committed;
  }

  /**
   * @return time spent writing and syncing batches so far (with {@link #commits()}: the mean flush)
   */
  synchronized long flushNanos() {
    return flushNanos;
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
    long chunk = Math.max(MIN_CHUNK, Math.min(MAX_CHUNK, maxBytes / 4));
    segment = LiveSegment.open(files.live(), chunk, maxBytes + MIN_CHUNK);
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
        gather(batch);
        commit(batch);
      } catch (InterruptedException e) {
        batch.forEach(p -> p.done().completeExceptionally(new IOException("audit trail closed")));
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

  /** Waits (bounded) for the callers of the last flush that are not queued yet. */
  private void gather(List<Pending> batch) throws InterruptedException {
    int expected = window.expected(batch.stream().map(Pending::caller).toList());
    long deadline = System.nanoTime() + window.maxWaitNanos();
    while (batch.size() < expected && batch.size() < MAX_BATCH) {
      long left = deadline - System.nanoTime();
      Pending p = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
      if (p == null) {
        return;
      }
      batch.add(p);
      queue.drainTo(batch, MAX_BATCH - batch.size());
    }
  }

  private void commit(List<Pending> batch) {
    long[] seqs = new long[batch.size()];
    synchronized (this) {
      long seqBefore = seq;
      String prevBefore = prev;
      try {
        ensureReady();
        StringBuilder text = new StringBuilder(batch.size() * 320);
        for (int i = 0; i < batch.size(); i++) {
          String signed = EntryLine.signedText(seq + 1, batch.get(i).fields(), prev);
          String m = mac.of(signed);
          text.append(EntryLine.line(signed, m));
          seq++;
          prev = m;
          seqs[i] = seq;
        }
        long t0 = System.nanoTime();
        segment.append(text.toString().getBytes(StandardCharsets.UTF_8));
        long took = System.nanoTime() - t0;
        window.flushed(batch.stream().map(Pending::caller).toList(), took);
        flushNanos += took;
        commits++;
        committed += batch.size();
        failedAt = 0;
      } catch (Exception e) {
        seq = seqBefore;
        prev = prevBefore;
        failedAt = Math.max(1, System.nanoTime());
        window.failed();
        undo();
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
    if (segment == null || !segment.isOpen()) {
      openLive();
    }
    if (segment.end() >= maxBytes) {
      rotate();
    }
  }

  private void rotate() throws IOException {
    segment.seal(); // the rotated file ends with its last entry, no zero tail
    segment.close();
    Files.move(files.live(), files.rotatedName(seq), StandardCopyOption.ATOMIC_MOVE);
    openLive();
    List<Path> old = files.rotated();
    for (int i = 0; i < old.size() - retain; i++) {
      Files.deleteIfExists(old.get(i));
    }
    LOG.info("Audit trail rotated at entry {}", seq);
  }

  private void undo() {
    try {
      if (segment != null && segment.isOpen()) {
        segment.cutToEnd();
      }
    } catch (IOException e) {
      closeChannel(); // reopened (and its tail checked) by the next batch
    }
  }

  /** Leaves the live file ending with its last entry (the next start preallocates again). */
  private void seal() {
    try {
      if (segment != null && segment.isOpen()) {
        segment.seal();
      }
    } catch (IOException e) {
      LOG.warn("Audit file not cut to its last entry (the next start does it): {}", e.toString());
    }
  }

  private void closeChannel() {
    try {
      if (segment != null) {
        segment.close();
      }
    } catch (IOException e) {
      LOG.warn("Audit file close failed: {}", e.toString());
    }
    segment = null;
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
      seal();
      closeChannel();
      if (mac != null) {
        mac.close();
      }
    }
  }
}
