package org.openkcm.keystore.audit.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.openkcm.keystore.audit.AuditSink;
import org.openkcm.keystore.audit.AuditUnavailableException;
import org.openkcm.keystore.audit.OperationEvent;
import org.openkcm.keystore.audit.OperationObserver;
import org.openkcm.keystore.model.KeystoreException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit trail as the core sees it: an operation runs only if some sink can write, and is
 * acknowledged only once at least one sink has made its entry durable. Fail-open (development) logs
 * instead of refusing.
 */
@Component(
    service = OperationObserver.class,
    property = AuditTrail.AUDIT_PROPERTY + "=true",
    configurationPid = AuditTrailConfig.PID,
    configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = AuditTrailConfig.class)
public final class AuditTrail implements OperationObserver {
  /** Service property marking the audit trail among the observers. */
  static final String AUDIT_PROPERTY = "keystore.audit";

  private static final Logger LOG = LoggerFactory.getLogger(AuditTrail.class);

  private final List<AuditSink> sinks = new CopyOnWriteArrayList<>();
  private volatile boolean failOpen;

  @Activate
  public AuditTrail(AuditTrailConfig config) {
    configure(config);
  }

  /** Outside OSGi (tests, benchmarks). */
  AuditTrail(boolean failOpen, AuditSink... initial) {
    this.failOpen = failOpen;
    sinks.addAll(List.of(initial));
  }

  @Modified
  void configure(AuditTrailConfig config) {
    failOpen = config.failOpen();
    if (failOpen) {
      LOG.warn(
          "Audit trail is fail-open: operations are acknowledged even when no entry is written");
    }
  }

  @Reference(
      cardinality = ReferenceCardinality.MULTIPLE,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  void addSink(AuditSink sink) {
    sinks.add(sink);
  }

  void removeSink(AuditSink sink) {
    sinks.remove(sink);
  }

  List<AuditSink> sinks() {
    return sinks;
  }

  @Override
  public void admit(String operation) throws KeystoreException {
    if (failOpen) {
      return;
    }
    for (AuditSink s : sinks) {
      if (s.writable()) {
        return;
      }
    }
    throw new AuditUnavailableException(
        null,
        (sinks.isEmpty() ? "no audit sink is deployed" : "no audit sink can write")
            + "; "
            + operation
            + " refused",
        null);
  }

  @Override
  public void completed(OperationEvent event) throws KeystoreException {
    int written = 0;
    KeystoreException last = null;
    for (AuditSink s : sinks) {
      try {
        s.append(event);
        written++;
      } catch (KeystoreException e) {
        last = e;
        LOG.error("Audit sink '{}' failed: {}", s.name(), e.getMessage());
      }
    }
    if (written > 0 || failOpen) {
      return;
    }
    throw last != null
        ? last
        : new AuditUnavailableException(
            null, "no audit sink is deployed; " + event.operation() + " not acknowledged", null);
  }
}
