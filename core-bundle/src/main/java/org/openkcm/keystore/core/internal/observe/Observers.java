package org.openkcm.keystore.core.internal.observe;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.openkcm.keystore.audit.AuditUnavailableException;
import org.openkcm.keystore.audit.OperationEvent;
import org.openkcm.keystore.audit.OperationObserver;
import org.openkcm.keystore.model.KeystoreException;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
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
  /**
   * Framework property: {@code true} refuses every operation while no audit trail (an observer with
   * {@value #AUDIT_PROPERTY}{@code =true}) is registered, so that none runs unaccounted for.
   */
  public static final String AUDIT_REQUIRED = "openkcm.keystore.audit.required";

  /** Service property marking an observer as the audit trail. */
  public static final String AUDIT_PROPERTY = "keystore.audit";

  private final List<OperationObserver> observers = new CopyOnWriteArrayList<>();
  private final List<OperationObserver> trails = new CopyOnWriteArrayList<>();
  private final boolean auditRequired;

  @Activate
  public Observers(BundleContext context) {
    this(Boolean.parseBoolean(context.getProperty(AUDIT_REQUIRED)));
  }

  private Observers(boolean auditRequired) {
    this.auditRequired = auditRequired;
  }

  /** Outside OSGi (tests, benchmarks): observers added by hand. */
  public static Observers of(OperationObserver... initial) {
    Observers o = new Observers(false);
    for (OperationObserver i : initial) {
      o.addByHand(i);
    }
    return o;
  }

  @Reference(
      cardinality = ReferenceCardinality.MULTIPLE,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  void add(OperationObserver observer, Map<String, Object> props) {
    observers.add(observer);
    if ("true".equals(String.valueOf(props.get(AUDIT_PROPERTY)))) {
      trails.add(observer);
    }
  }

  void remove(OperationObserver observer, Map<String, Object> props) {
    observers.remove(observer);
    trails.remove(observer);
  }

  private void addByHand(OperationObserver observer) {
    observers.add(observer);
  }

  /** Asks every observer whether {@code operation} may run. */
  public void admit(String operation) throws KeystoreException {
    if (auditRequired && trails.isEmpty()) {
      throw new AuditUnavailableException(
          null, "the audit trail is not running; " + operation + " refused", null);
    }
    for (OperationObserver o : observers) {
      o.admit(operation);
    }
  }

  /**
   * @return whether no observer is registered (then nobody reads an event, and none is built)
   */
  public boolean none() {
    return observers.isEmpty();
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
