package org.openkcm.keystore.grpc.internal;

import org.openkcm.keystore.audit.OperationEvent;
import org.openkcm.keystore.audit.OperationObserver;
import org.osgi.service.component.annotations.Component;

/**
 * Sees the events the core records while a gRPC call's body runs on this thread, so the door knows
 * whether the core accounted for the call's outcome (then the audit trail already holds it) or the
 * door decided it (then the door's own event goes to the trail). It never refuses nor fails an
 * operation.
 */
// keystore.observe.ownBundle: only the events of this bundle's own calls to the core, so that the
// doors other bundles call build no event for it (their cache-served calls stay event-free)
@Component(service = OperationObserver.class, property = "keystore.observe.ownBundle:Boolean=true")
public final class CoreEventWitness implements OperationObserver {
  private static final ThreadLocal<String[]> LAST_OUTCOME = new ThreadLocal<>();

  @Override
  public void completed(OperationEvent event) {
    String[] slot = LAST_OUTCOME.get();
    if (slot != null && !event.operation().equals(CallAccounting.OPERATION)) {
      slot[0] = event.outcome();
    }
  }

  /** Starts watching this thread; returns the slot the core's last outcome lands in. */
  static String[] watch() {
    String[] slot = new String[1];
    LAST_OUTCOME.set(slot);
    return slot;
  }

  static void stop() {
    LAST_OUTCOME.remove();
  }
}
