package org.openkcm.keystore.audit.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.openkcm.keystore.audit.AuditSink;
import org.openkcm.keystore.audit.AuditUnavailableException;
import org.openkcm.keystore.audit.OperationEvent;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.spi.RootKeyProvider;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shipped sink: a chained JSON-lines file ({@link ChainedLog}); the chain key is derived from
 * the root key, so only the runtime can extend or verify the chain.
 */
@Component(
    service = {AuditSink.class, FileAuditSink.class},
    configurationPid = FileSinkConfig.PID,
    configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = FileSinkConfig.class)
public final class FileAuditSink implements AuditSink {
  private static final Logger LOG = LoggerFactory.getLogger(FileAuditSink.class);

  private final ChainedLog log;
  private final long timeoutMs;

  @Activate
  public FileAuditSink(@Reference(name = "rootKey") RootKeyProvider root, FileSinkConfig config)
      throws IOException {
    this(
        Path.of(config.file()),
        () -> root.deriveKey(ChainMac.LABEL),
        config.maxFileSizeMb() * 1024 * 1024,
        config.retainFiles(),
        config.writeTimeoutMs());
    LOG.info(
        "Audit trail in {} (chain key from root key provider '{}')",
        log.files().live(),
        root.name());
  }

  /** Outside OSGi (tests, benchmarks). */
  FileAuditSink(Path file, ChainedLog.KeySource keys, long maxBytes, int retain, long timeoutMs)
      throws IOException {
    this.log = new ChainedLog(file, keys, maxBytes, Math.max(0, retain), 65536);
    this.timeoutMs = timeoutMs;
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

  Path liveFile() {
    return log.files().live();
  }

  @Deactivate
  void close() {
    log.close();
  }
}
