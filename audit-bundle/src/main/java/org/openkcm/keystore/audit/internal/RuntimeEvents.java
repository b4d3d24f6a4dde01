package org.openkcm.keystore.audit.internal;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.openkcm.keystore.audit.OperationEvent;
import org.openkcm.keystore.audit.OperationObserver;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.spi.Keystore;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to the runtime rather than through a door: a configuration of the keystore changed
 * or was deleted (its PID, never its values, which may hold secrets), a backend arrived or left.
 * These cannot be refused; an entry that cannot be written is logged.
 */
@Component(service = ConfigurationListener.class, immediate = true)
public final class RuntimeEvents implements ConfigurationListener {
  private static final Logger LOG = LoggerFactory.getLogger(RuntimeEvents.class);
  private static final String OURS = "org.openkcm.";

  private final OperationObserver trail;

  /**
   * Entries are written off the notifying thread: a service event or a bundle start must never wait
   * on the disk or on the root key provider (which may be started by that very thread).
   */
  private final ExecutorService writer =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "keystore-audit-runtime-events");
            t.setDaemon(true);
            return t;
          });

  @Activate
  public RuntimeEvents(
      @Reference(target = "(" + AuditTrail.AUDIT_PROPERTY + "=true)") OperationObserver trail) {
    this.trail = trail;
  }

  @Deactivate
  void stop() {
    writer.shutdown();
  }

  @Override
  public void configurationEvent(ConfigurationEvent event) {
    String pid = event.getPid();
    if (pid == null || !pid.startsWith(OURS)) {
      return;
    }
    String op =
        switch (event.getType()) {
          case ConfigurationEvent.CM_DELETED -> "config.deleted";
          case ConfigurationEvent.CM_UPDATED -> "config.updated";
          default -> "config.location_changed";
        };
    record(OperationEvent.builder(op, Instant.now()).actor("configadmin").subject(pid));
  }

  @Reference(
      name = "backend",
      service = Keystore.class,
      unbind = "backendDeparted",
      cardinality = ReferenceCardinality.MULTIPLE,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  void backendArrived(Map<String, Object> props) {
    record(backend("backend.arrived", props));
  }

  void backendDeparted(Map<String, Object> props) {
    record(backend("backend.departed", props));
  }

  private static OperationEvent.Builder backend(String op, Map<String, Object> props) {
    Object name = props.get(Keystore.BACKEND_PROPERTY);
    return OperationEvent.builder(op, Instant.now())
        .actor("osgi")
        .backend(name == null ? "(unnamed)" : name.toString());
  }

  private void record(OperationEvent.Builder event) {
    OperationEvent e = event.build();
    try {
      writer.execute(() -> write(e));
    } catch (RejectedExecutionException stopped) {
      LOG.warn("Audit trail stopping: {} not recorded", e.operation());
    }
  }

  private void write(OperationEvent e) {
    try {
      trail.completed(e);
    } catch (KeystoreException failure) {
      LOG.error("Audit entry for {} not written: {}", e.operation(), failure.getMessage());
    }
  }
}
