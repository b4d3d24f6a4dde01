package org.openkcm.keystore.audit;

import org.openkcm.keystore.model.KeystoreException;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Where audit entries go: the runtime ships a chained, fsync'ed JSON-lines file; more sinks are
 * deployed as bundles registering this service. The audit trail writes every entry to every sink
 * and acknowledges the operation once at least one sink has made it durable.
 */
@ConsumerType
public interface AuditSink {

  /**
   * @return the sink's name, shown in health and errors
   */
  String name();

  /**
   * Makes the entry durable (on disk, replicated, ...) before returning. Safe to call from many
   * threads at once: a sink is expected to share one flush among concurrent callers.
   *
   * @throws KeystoreException if the entry may not be durable
   */
  void append(OperationEvent event) throws KeystoreException;

  /**
   * @return whether the sink can currently write (its last write or probe succeeded)
   */
  boolean writable();

  /**
   * @return entries accepted but not yet durable (queue depth), for metrics
   */
  default int pending() {
    return 0;
  }
}
