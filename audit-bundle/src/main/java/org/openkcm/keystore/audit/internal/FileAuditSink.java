package org.openkcm.keystore.audit.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.openkcm.keystore.audit.AuditKeys;
import org.openkcm.keystore.audit.AuditSink;
import org.openkcm.keystore.audit.AuditUnavailableException;
import org.openkcm.keystore.audit.OperationEvent;
import org.openkcm.keystore.model.KeystoreException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shipped sink: a chained JSON-lines file ({@link ChainedLog}). The chain key is derived by the
 * core from the root key it uses ({@link AuditKeys}), so only the runtime can extend or verify the
 * chain. The sink starts without the core (so backend arrivals at start are recorded); its writer
 * waits for the core's {@link AuditKeys} up to the write timeout before the first entry.
 */
@Component(
    service = {AuditSink.class, FileAuditSink.class},
    configurationPid = FileSinkConfig.PID,
    configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class FileAuditSink implements AuditSink {
  private static final Logger LOG = LoggerFactory.getLogger(FileAuditSink.class);

  private final ChainedLog log;
  private final long timeoutMs;
  private final Object keysBound = new Object();
  private AuditKeys keys; // guarded by keysBound

  @Activate
  public FileAuditSink(FileSinkConfig config) throws IOException {
    this.timeoutMs = config.writeTimeoutMs();
    this.log =
        new ChainedLog(
            Path.of(config.file()),
            this::chainKey,
            config.maxFileSizeMb() * 1024 * 1024,
            Math.max(0, config.retainFiles()),
            65536);
    LOG.info("Audit trail in {} (chain key from the core's root key)", log.files().live());
  }

  @Reference(
      cardinality = ReferenceCardinality.OPTIONAL,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  void bindKeys(AuditKeys k) {
    synchronized (keysBound) {
      keys = k;
      keysBound.notifyAll();
    }
  }

  void unbindKeys(AuditKeys k) {
    synchronized (keysBound) {
      if (keys == k) {
        keys = null;
      }
    }
  }

  /** The writer thread's first entry waits (bounded) for the core to offer the chain key. */
  private byte[] chainKey() throws KeystoreException, InterruptedException {
    AuditKeys k;
    synchronized (keysBound) {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
      while (keys == null && deadline - System.nanoTime() > 0) {
        TimeUnit.NANOSECONDS.timedWait(keysBound, deadline - System.nanoTime());
      }
      k = keys;
    }
    if (k == null) {
      throw new AuditUnavailableException(
          null, "the core is not running: no key to chain the audit trail with", null);
    }
    return k.derive(ChainMac.LABEL);
  }

  /** Outside OSGi (tests, benchmarks). */
  FileAuditSink(Path file, ChainedLog.KeySource keys, long maxBytes, int retain, long timeoutMs)
      throws IOException {
    this.timeoutMs = timeoutMs;
    this.log = new ChainedLog(file, keys, maxBytes, Math.max(0, retain), 65536);
  }

  @Override
  public String name() {
    return "file";
  }

  @Override
  public void append(OperationEvent event) throws KeystoreException {
    try {
      log.submit(AuditJson.fields(event)).get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new AuditUnavailableException(
          null, "the audit file could not be written: " + e.getCause().getMessage(), null);
    } catch (TimeoutException e) {
      throw new AuditUnavailableException(
          null, "the audit file was not written within " + timeoutMs + "ms", null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AuditUnavailableException(null, "interrupted while the entry was written", null);
    }
  }

  @Override
  public boolean writable() {
    return log.writable();
  }

  @Override
  public int pending() {
    return log.pending();
  }

  /**
   * @param file a trail file, or {@code null} for the whole live trail
   */
  ChainVerifier.Report verify(Path file) throws IOException {
    return file == null ? log.verify() : log.verify(file);
  }

  long commits() {
    return log.commits();
  }

  /**
   * @return entries made durable so far (with {@link #commits()}: the mean batch per flush)
   */
  long committed() {
    return log.committed();
  }

  long flushNanos() {
    return log.flushNanos();
  }

  Path liveFile() {
    return log.files().live();
  }

  @Deactivate
  void close() {
    log.close();
  }
}
