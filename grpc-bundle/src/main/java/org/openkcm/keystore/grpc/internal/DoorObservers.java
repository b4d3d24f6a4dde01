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
 * goes to all. The call's status is not changed by an observer's failure: a refused call stays
 * refused, and a failed audit write is logged by the trail itself.
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

  void completed(OperationEvent event, boolean audit) {
    if (audit) {
      trails.forEach(o -> tell(o, event));
    }
    others.forEach(o -> tell(o, event));
  }

  private static void tell(OperationObserver observer, OperationEvent event) {
    try {
      observer.completed(event);
    } catch (KeystoreException | RuntimeException e) {
      LOG.warn(
          "Observer {} did not take the gRPC event {} {}: {}",
          observer.getClass().getName(),
          event.subject().orElse(""),
          event.outcome(),
          e.getClass().getSimpleName());
    }
  }
}
