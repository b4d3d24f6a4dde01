package org.openkcm.keystore.core.internal.observe;

import org.openkcm.keystore.audit.Actor;
import org.openkcm.keystore.audit.OperationEvent;
import org.openkcm.keystore.model.KeystoreException;

/**
 * Runs one call of a door under the observers: admit, count, time and describe it when some
 * observer needs its event, report, and only then hand the result (or the error) to the caller. A
 * result the observers did not acknowledge is closed when it holds material (an opened key).
 *
 * <p>Every call is counted exactly ({@link CallTally}). An event is built when an observer sees
 * every event (the audit trail), for every call of an operation that is not sampled, for one call
 * in a period of a sampled one (per thread: each thread times its first call and then one in the
 * period), and for every failed call; else the call runs with no clock read and no event.
 */
final class ObservedCall {
  private final Observers observers;
  private final CallTally tally;
  private final String bundle;
  private final String bundleActor;

  /** This door's plan and the plans it was taken from: re-taken when the observers change. */
  private record Mine(Observers.Plans of, Observers.Plan plan) {}

  private volatile Mine mine;

  ObservedCall(Observers observers, String bundle) {
    this.observers = observers;
    this.tally = observers.tally();
    this.bundle = bundle;
    this.bundleActor = bundle == null ? null : "bundle:" + bundle;
  }

  @FunctionalInterface
  interface Body<T> {
    T run() throws KeystoreException;
  }

  @FunctionalInterface
  interface Describe<T> {
    void describe(OperationEvent.Builder event, T result);
  }

  /**
   * Admits a call of {@code site} and counts it in; decides whether it runs untimed.
   *
   * @return this thread's cells when the call runs untimed (then the door calls {@link #succeeded}
   *     or {@link #failed}); null when it must run timed (then the door calls {@link #timed})
   */
  long[] enter(DoorSite site) throws KeystoreException {
    long[] cells = tally.cells(site.index());
    Observers.Plan plan = observers.admit(plan(), site, cells);
    return plan.quiet()
            || plan.samplingOnly()
                && site.sampled()
                && !CallTally.sampleNow(cells, site.index(), plan.period())
        ? cells
        : null;
  }

  /** An untimed call of {@code site} returned {@code result}. */
  static <T> T succeeded(DoorSite site, long[] cells, T result) {
    CallTally.count(cells, site.index(), CallTally.SUCCEEDED);
    return result;
  }

  /**
   * An untimed call of {@code site} failed: counted, and reported (weight 0) to the observers that
   * accept samples; the caller rethrows {@code failure}.
   */
  void failed(DoorSite site, long[] cells, Exception failure, Describe<Void> before) {
    CallTally.count(cells, site.index(), CallTally.FAILED);
    Observers.Plan plan = plan();
    if (!plan.quiet()) {
      reportUntimed(plan, site, before, failure);
    }
  }

  /**
   * Runs one call of {@code site}: {@link #enter}, then untimed or {@link #timed}. The hot doors
   * call those themselves, so that the describing lambdas are built only when an event is.
   */
  <T> T run(DoorSite site, Describe<Void> before, Body<T> body, Describe<T> after)
      throws KeystoreException {
    long[] cells = enter(site);
    if (cells == null) {
      return timed(site, before, body, after);
    }
    T result;
    try {
      result = body.run();
    } catch (KeystoreException | RuntimeException e) {
      failed(site, cells, e, before);
      throw e;
    }
    return succeeded(site, cells, result);
  }

  /** Runs a call {@link #enter} did not let run untimed: times it, builds and reports its event. */
  <T> T timed(DoorSite site, Describe<Void> before, Body<T> body, Describe<T> after)
      throws KeystoreException {
    long[] cells = tally.cells(site.index());
    Observers.Plan plan = plan();
    boolean sample =
        site.sampled()
            && plan.sampled().length > 0
            && (plan.samplingOnly() || CallTally.sampleNow(cells, site.index(), plan.period()));
    return timed(plan, site, cells, sample, before, body, after);
  }

  private <T> T timed(
      Observers.Plan plan,
      DoorSite site,
      long[] cells,
      boolean sample,
      Describe<Void> before,
      Body<T> body,
      Describe<T> after)
      throws KeystoreException {
    long start = System.nanoTime();
    OperationEvent.Builder event = event(site, start);
    before.describe(event, null);
    T result;
    try {
      result = body.run();
    } catch (KeystoreException | RuntimeException e) {
      CallTally.count(cells, site.index(), CallTally.FAILED);
      event.outcome(OperationEvent.kindOf(e)).durationNanos(System.nanoTime() - start);
      try {
        observers.completed(plan, site, event, sample, false);
      } catch (KeystoreException unreported) {
        e.addSuppressed(unreported);
      }
      throw e;
    }
    after.describe(event, result);
    try {
      observers.completed(plan, site, event.durationNanos(System.nanoTime() - start), sample, true);
    } catch (KeystoreException e) {
      CallTally.count(cells, site.index(), CallTally.FAILED);
      if (result instanceof AutoCloseable c) {
        closeQuietly(c, e);
      }
      throw e;
    }
    CallTally.count(cells, site.index(), CallTally.SUCCEEDED);
    return result;
  }

  /** A failed call nobody timed still reaches the observers that accept samples (weight 0). */
  private void reportUntimed(
      Observers.Plan plan, DoorSite site, Describe<Void> before, Exception failure) {
    OperationEvent.Builder event = event(site, System.nanoTime());
    before.describe(event, null);
    event.outcome(OperationEvent.kindOf(failure));
    try {
      observers.completed(plan, site, event, false, false);
    } catch (KeystoreException e) {
      failure.addSuppressed(e);
    }
  }

  /**
   * @return the plan of this door: that of its calling bundle when some observer is limited to it,
   *     else every door's
   */
  private Observers.Plan plan() {
    Observers.Plans now = observers.plans();
    Mine m = mine;
    if (m == null || m.of() != now) {
      m = new Mine(now, now.forBundle(bundle));
      mine = m;
    }
    return m.plan();
  }

  private OperationEvent.Builder event(DoorSite site, long nanoTime) {
    return OperationEvent.builder(site.operation(), observers.clock().at(nanoTime))
        .actor(Actor.current().orElse(bundleActor))
        .bundle(bundle);
  }

  private static void closeQuietly(AutoCloseable c, Exception failure) {
    try {
      c.close();
    } catch (Exception e) {
      failure.addSuppressed(e);
    }
  }
}
