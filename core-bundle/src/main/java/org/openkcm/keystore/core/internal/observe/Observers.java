package org.openkcm.keystore.core.internal.observe;

import java.util.ArrayList;
import java.util.HashMap;
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

  /**
   * Service property: {@code true} means the observer needs the events of the calls its own bundle
   * makes through the core's doors only (as the gRPC bundle's witness of the core's outcomes): the
   * doors of other bundles then build no event for it.
   */
  public static final String OWN_BUNDLE_PROPERTY = "keystore.observe.ownBundle";

  private static final OperationObserver[] NONE = {};

  private final List<OperationObserver> observers = new ArrayList<>();
  private final List<OperationObserver> trails = new ArrayList<>();
  private final Map<OperationObserver, String> ownBundle = new HashMap<>();
  private final BundleContext context;
  private final boolean auditRequired;
  private final CallTally tally = new CallTally();
  private final Map<String, DoorSite> sites = new ConcurrentHashMap<>();
  private final WallClock clock = new WallClock();
  private volatile Plans plans;

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

  /**
   * The plan of every door, and those of the doors of bundles some observer is limited to ({@value
   * #OWN_BUNDLE_PROPERTY}).
   */
  record Plans(Plan global, Map<String, Plan> byBundle) {
    Plan forBundle(String bundle) {
      Plan p = bundle == null ? null : byBundle.get(bundle);
      return p == null ? global : p;
    }
  }

  @Activate
  public Observers(BundleContext context) {
    this(context, Boolean.parseBoolean(context.getProperty(AUDIT_REQUIRED)));
  }

  private Observers(BundleContext context, boolean auditRequired) {
    this.context = context;
    this.auditRequired = auditRequired;
    replan();
  }

  /** Outside OSGi (tests, benchmarks): observers added by hand. */
  public static Observers of(OperationObserver... initial) {
    Observers o = new Observers(null, false);
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
    if ("true".equals(String.valueOf(props.get(OWN_BUNDLE_PROPERTY)))) {
      String bundle = symbolicName(props.get("service.bundleid"));
      if (bundle != null) {
        ownBundle.put(observer, bundle); // else it sees every door's events: never fewer than asked
      }
    }
    replan();
  }

  /** As {@link #add}, outside OSGi: {@code observer} sees only the doors of {@code bundle}. */
  public synchronized void addForBundle(OperationObserver observer, String bundle) {
    observers.add(observer);
    ownBundle.put(observer, bundle);
    replan();
  }

  synchronized void remove(OperationObserver observer, Map<String, Object> props) {
    observers.remove(observer);
    trails.remove(observer);
    ownBundle.remove(observer);
    replan();
  }

  private String symbolicName(Object bundleId) {
    if (context == null || !(bundleId instanceof Number id)) {
      return null;
    }
    org.osgi.framework.Bundle b = context.getBundle(id.longValue());
    return b == null ? null : b.getSymbolicName();
  }

  private void replan() {
    List<OperationObserver> everyDoor = new ArrayList<>();
    for (OperationObserver o : observers) {
      if (!ownBundle.containsKey(o)) {
        everyDoor.add(o);
      }
    }
    Map<String, Plan> byBundle = new HashMap<>();
    for (String bundle : new java.util.TreeSet<>(ownBundle.values())) {
      List<OperationObserver> those = new ArrayList<>();
      for (OperationObserver o : observers) {
        if (!ownBundle.containsKey(o) || bundle.equals(ownBundle.get(o))) {
          those.add(o);
        }
      }
      byBundle.put(bundle, planOf(those));
    }
    plans = new Plans(planOf(everyDoor), Map.copyOf(byBundle));
  }

  private Plan planOf(List<OperationObserver> observers) {
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
    return new Plan(
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

  /**
   * @return the plan of a door of a bundle no observer is limited to
   */
  Plan plan() {
    return plans.global();
  }

  /**
   * @return every door's plans (read once per call by {@link ObservedCall})
   */
  Plans plans() {
    return plans;
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
    return admit(plan(), site, cells);
  }

  /** As above, under the plan {@code p} of the calling door. */
  Plan admit(Plan p, DoorSite site, long[] cells) throws KeystoreException {
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
    Plan p = plan();
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
