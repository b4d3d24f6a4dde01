package org.openkcm.keystore.core.internal.observe;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.openkcm.keystore.audit.AuditUnavailableException;
import org.openkcm.keystore.audit.OperationCounts;
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
 * reconciler report through this one place, and the exact counts of every door call are kept here.
 * Observers that keep the default {@link OperationObserver#sampleEvery} (the audit trail) see every
 * event; the others see the events {@link ObservedCall} delivers as samples. The first refusal or
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

  private static final OperationObserver[] NONE = {};

  private final List<OperationObserver> observers = new ArrayList<>();
  private final List<OperationObserver> trails = new ArrayList<>();
  private final boolean auditRequired;
  private final CallTally tally = new CallTally();
  private final Map<String, DoorSite> sites = new ConcurrentHashMap<>();
  private final WallClock clock = new WallClock();
  private volatile Plan plan;

  /**
   * Who is told what, rebuilt on every (un)registration so a call reads it once.
   *
   * @param gate whether a call must be admitted (an observer refuses, or the audit trail is
   *     missing)
   * @param refuseAll whether every call is refused: the audit trail is required and missing
   * @param admitters the observers with an admission of their own
   * @param every the observers that see every event
   * @param sampled the observers that accept samples
   * @param period one call in this many of a sampled operation is timed for {@code sampled}
   * @param quiet no observer at all: nobody reads an event, none is built
   * @param samplingOnly only observers that accept samples: a sampled operation is timed once in a
   *     period
   */
  record Plan(
      boolean gate,
      boolean refuseAll,
      OperationObserver[] admitters,
      OperationObserver[] every,
      OperationObserver[] sampled,
      int period,
      boolean quiet,
      boolean samplingOnly) {}

  @Activate
  public Observers(BundleContext context) {
    this(Boolean.parseBoolean(context.getProperty(AUDIT_REQUIRED)));
  }

  private Observers(boolean auditRequired) {
    this.auditRequired = auditRequired;
    replan();
  }

  /** Outside OSGi (tests, benchmarks): observers added by hand. */
  public static Observers of(OperationObserver... initial) {
    Observers o = new Observers(false);
    for (OperationObserver i : initial) {
      o.add(i, Map.of());
    }
    return o;
  }

  @Reference(
      cardinality = ReferenceCardinality.MULTIPLE,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  synchronized void add(OperationObserver observer, Map<String, Object> props) {
    observers.add(observer);
    if ("true".equals(String.valueOf(props.get(AUDIT_PROPERTY)))) {
      trails.add(observer);
    }
    replan();
  }

  synchronized void remove(OperationObserver observer, Map<String, Object> props) {
    observers.remove(observer);
    trails.remove(observer);
    replan();
  }

  private void replan() {
    List<OperationObserver> admitters = new ArrayList<>();
    List<OperationObserver> every = new ArrayList<>();
    List<OperationObserver> sampled = new ArrayList<>();
    int period = Integer.MAX_VALUE;
    for (OperationObserver o : observers) {
      if (admits(o)) {
        admitters.add(o);
      }
      int n = o.sampleEvery();
      if (n > 1) {
        sampled.add(o);
        period = Math.min(period, n);
      } else {
        every.add(o);
      }
    }
    boolean refuseAll = auditRequired && trails.isEmpty();
    plan =
        new Plan(
            refuseAll || !admitters.isEmpty(),
            refuseAll,
            admitters.toArray(NONE),
            every.toArray(NONE),
            sampled.toArray(NONE),
            sampled.isEmpty() ? 1 : period,
            every.isEmpty() && sampled.isEmpty(),
            every.isEmpty() && !sampled.isEmpty());
  }

  /** Whether {@code o} overrides {@link OperationObserver#admit} (else it admits everything). */
  private static boolean admits(OperationObserver o) {
    try {
      return o.getClass().getMethod("admit", String.class).getDeclaringClass()
          != OperationObserver.class;
    } catch (NoSuchMethodException e) {
      return true; // cannot tell: ask it
    }
  }

  /**
   * @return the door operation named {@code operation}, one per name whichever door asks
   */
  DoorSite site(String operation, boolean sampled) {
    return sites.computeIfAbsent(operation, n -> new DoorSite(n, tally.newSite(), sampled));
  }

  Plan plan() {
    return plan;
  }

  CallTally tally() {
    return tally;
  }

  WallClock clock() {
    return clock;
  }

  /**
   * Asks every observer that refuses anything whether {@code site} may run; a refusal is counted.
   *
   * @return the plan this call follows
   */
  Plan admit(DoorSite site, long[] cells) throws KeystoreException {
    Plan p = plan;
    if (p.gate) {
      try {
        admitSlow(p, site.operation());
      } catch (KeystoreException | RuntimeException e) {
        CallTally.count(cells, site.index(), CallTally.REFUSED);
        throw e;
      }
    }
    return p;
  }

  private static void admitSlow(Plan p, String operation) throws KeystoreException {
    if (p.refuseAll) {
      throw new AuditUnavailableException(
          null, "the audit trail is not running; " + operation + " refused", null);
    }
    for (OperationObserver o : p.admitters) {
      o.admit(operation);
    }
  }

  /**
   * Tells every observer of {@code p} about one door call: those that see every event get it with
   * weight 1; those that accept samples get it as it concerns them: every call of an operation that
   * is not sampled (weight 1), the timed call of a period ({@code sample}: weight {@code
   * p.period}), and every other failure (weight 0, untimed).
   *
   * @throws KeystoreException the first observer's failure, once all have been told
   */
  void completed(Plan p, DoorSite site, OperationEvent.Builder event, boolean sample, boolean ok)
      throws KeystoreException {
    KeystoreException first = null;
    OperationEvent full = null;
    if (p.every.length > 0) {
      full = event.sampleWeight(1).build();
      first = tell(p.every, full, first);
    }
    if (p.sampled.length > 0) {
      OperationEvent part;
      if (!site.sampled()) {
        part = full != null ? full : event.sampleWeight(1).build();
      } else if (sample) {
        part = event.sampleWeight(p.period).build();
      } else if (!ok) {
        part = event.sampleWeight(0).durationNanos(0).build();
      } else {
        part = null;
      }
      if (part != null) {
        first = tell(p.sampled, part, first);
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /** Tells every observer about an event outside the doors (reconciler repairs), weight 1. */
  public void completed(OperationEvent event) throws KeystoreException {
    Plan p = plan;
    KeystoreException first = tell(p.every, event, null);
    first = tell(p.sampled, event, first);
    if (first != null) {
      throw first;
    }
  }

  private static KeystoreException tell(
      OperationObserver[] to, OperationEvent event, KeystoreException first) {
    for (OperationObserver o : to) {
      try {
        o.completed(event);
      } catch (KeystoreException e) {
        if (first == null) {
          first = e;
        }
      }
    }
    return first;
  }

  /**
   * @return every door operation's exact counts so far
   */
  List<OperationCounts.Count> counts() {
    long[][] totals = tally.totals();
    List<OperationCounts.Count> out = new ArrayList<>(sites.size());
    for (DoorSite s : sites.values()) {
      long[] t = s.index() < totals.length ? totals[s.index()] : new long[3];
      out.add(
          new OperationCounts.Count(
              s.operation(), t[CallTally.SUCCEEDED], t[CallTally.FAILED], t[CallTally.REFUSED]));
    }
    return out;
  }
}
