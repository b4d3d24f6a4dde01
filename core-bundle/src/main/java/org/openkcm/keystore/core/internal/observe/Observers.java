package org.openkcm.keystore.core.internal.observe;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.openkcm.keystore.audit.OperationEvent;
import org.openkcm.keystore.audit.OperationObserver;
import org.openkcm.keystore.model.KeystoreException;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Every registered {@link OperationObserver}, tracked dynamically: the observed services and the
 * reconciler report through this one place. Every observer sees every event; the first refusal or
 * failure is thrown after all have been told.
 */
@Component(service = Observers.class)
public final class Observers {
  private final List<OperationObserver> observers = new CopyOnWriteArrayList<>();

  /** Outside OSGi (tests, benchmarks): observers added by hand. */
  public static Observers of(OperationObserver... initial) {
    Observers o = new Observers();
    for (OperationObserver i : initial) {
      o.add(i);
    }
    return o;
  }

  @Reference(
      cardinality = ReferenceCardinality.MULTIPLE,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  void add(OperationObserver observer) {
    observers.add(observer);
  }

  void remove(OperationObserver observer) {
    observers.remove(observer);
  }

  /** Asks every observer whether {@code operation} may run. */
  public void admit(String operation) throws KeystoreException {
    for (OperationObserver o : observers) {
      o.admit(operation);
    }
  }

  /** Tells every observer; throws the first failure once all have been told. */
  public void completed(OperationEvent event) throws KeystoreException {
    KeystoreException first = null;
    for (OperationObserver o : observers) {
      try {
        o.completed(event);
      } catch (KeystoreException e) {
        if (first == null) {
          first = e;
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
