package org.openkcm.keystore.audit.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.openkcm.keystore.audit.AuditSink;
import org.openkcm.keystore.audit.AuditUnavailableException;
import org.openkcm.keystore.audit.OperationEvent;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.spi.RootKeyProvider;
import org.osgi.service.component.ComponentServiceObjects;
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
 * The shipped sink: a chained JSON-lines file ({@link ChainedLog}). The chain key is derived from
 * the root key provider the core uses ({@code provider} of the core's root key PID, merged in), so
 * only the runtime can extend or verify the chain.
 */
@Component(
    service = {AuditSink.class, FileAuditSink.class},
    configurationPid = {FileSinkConfig.PID, FileAuditSink.ROOT_KEY_PID},
    configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class FileAuditSink implements AuditSink {
  static final String ROOT_KEY_PID = "org.openkcm.keystore.rootkey";
  private static final Logger LOG = LoggerFactory.getLogger(FileAuditSink.class);

  private final Map<String, ComponentServiceObjects<RootKeyProvider>> roots =
      new ConcurrentHashMap<>();
  private final ChainedLog log;
  private final long timeoutMs;
  private final String provider;

  @Activate
  public FileAuditSink(FileSinkConfig config) throws IOException {
    this.provider = config.provider();
    this.timeoutMs = config.writeTimeoutMs();
    this.log =
        new ChainedLog(
            Path.of(config.file()),
            this::deriveFromRoot,
            config.maxFileSizeMb() * 1024 * 1024,
            Math.max(0, config.retainFiles()),
            65536);
    LOG.info(
        "Audit trail in {} (chain key from root key provider '{}')", log.files().live(), provider);
  }

  /** Outside OSGi (tests, benchmarks). */
  FileAuditSink(Path file, ChainedLog.KeySource keys, long maxBytes, int retain, long timeoutMs)
      throws IOException {
    this.provider = null;
    this.timeoutMs = timeoutMs;
    this.log = new ChainedLog(file, keys, maxBytes, Math.max(0, retain), 65536);
  }

  /**
   * Every registered root key provider, tracked without getting it (as the core does): only the one
   * the core uses is got, to derive the chain key once.
   */
  @Reference(
      name = "rootKeyProviders",
      service = RootKeyProvider.class,
      cardinality = ReferenceCardinality.MULTIPLE,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  void bindRoot(ComponentServiceObjects<RootKeyProvider> root, Map<String, Object> props) {
    Object name = props.get(RootKeyProvider.PROVIDER_PROPERTY);
    if (name != null) {
      roots.put(name.toString(), root);
    }
  }

  void unbindRoot(ComponentServiceObjects<RootKeyProvider> root, Map<String, Object> props) {
    roots.values().remove(root);
  }

  private byte[] deriveFromRoot() throws KeystoreException {
    ComponentServiceObjects<RootKeyProvider> cso = roots.get(provider);
    RootKeyProvider root = cso == null ? null : cso.getService();
    if (root == null) {
      throw new AuditUnavailableException(
          null, "root key provider '" + provider + "' is not registered", null);
    }
    try {
      return root.deriveKey(ChainMac.LABEL);
    } finally {
      cso.ungetService(root);
    }
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
