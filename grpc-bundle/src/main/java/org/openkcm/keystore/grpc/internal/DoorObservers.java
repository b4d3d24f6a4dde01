package org.openkcm.keystore.grpc.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.openkcm.keystore.audit.OperationEvent;
import org.openkcm.keystore.audit.OperationObserver;
import org.openkcm.keystore.model.KeystoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operation observers the gRPC door reports its calls to: the audit trails (observers
 * registered with {@code keystore.audit=true}) and the others (metrics). A call the core accounted
 * for goes to the others only, so the trail holds one entry per operation; a call the door decided
 * goes to all. A refused call stays refused whatever the trail does; a call that succeeded without
 * the core is acknowledged only once its entry is durable ({@link CallAccounting}).
 */
final class DoorObservers {
  private static final Logger LOG = LoggerFactory.getLogger(DoorObservers.class);

  private final List<OperationObserver> trails = new CopyOnWriteArrayList<>();
  private final List<OperationObserver> others = new CopyOnWriteArrayList<>();

  void add(OperationObserver observer, boolean trail) {
    (trail ? trails : others).add(observer);
  }

  void remove(OperationObserver observer) {
    trails.remove(observer);
    others.remove(observer);
  }

  /**
   * Asks the audit trails whether a call may run (for the calls the core does not account for:
   * without a trail that can write they are refused, as the core refuses its own).
   */
  void admit(String operation) throws KeystoreException {
    for (OperationObserver o : trails) {
      o.admit(operation);
    }
  }

  /**
   * @return whether every trail told took the event (always true when {@code audit} is false)
   */
  boolean completed(OperationEvent event, boolean audit) {
    boolean taken = true;
    if (audit) {
      for (OperationObserver o : trails) {
        taken &= tell(o, event);
      }
    }
    others.forEach(o -> tell(o, event));
    return taken;
  }

  private static boolean tell(OperationObserver observer, OperationEvent event) {
    try {
      observer.completed(event);
      return true;
    } catch (KeystoreException | RuntimeException e) {
      LOG.warn(
          "Observer {} did not take the gRPC event {} {}: {}",
          observer.getClass().getName(),
          event.subject().orElse(""),
          event.outcome(),
          e.getClass().getSimpleName());
      return false;
    }
  }
}
