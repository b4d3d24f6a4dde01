package org.openkcm.keystore.testkit;

import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.spi.BackendHealth;
import org.openkcm.keystore.spi.BackendInfo;
import org.openkcm.keystore.spi.KeyRecord;
import org.openkcm.keystore.spi.Keystore;

/**
 * Wraps a real backend and injects faults: fail a call before it reaches the backend, fail it
 * <em>after</em> the backend did the work (the caller cannot know whether the write happened), or
 * hang (to prove the caller's deadline). Which call is faulted is decided by a {@link FaultPlan}:
 * the Nth call, a seeded random share of calls (replayable), or nothing. For tests only: never in a
 * runtime.
 */
public final class FaultInjectingKeystore implements Keystore {

  /** The operations a plan can target. */
  public enum Operation {
    STORE,
    RETRIEVE,
    UPDATE,
    DELETE,
    LIST
  }

  /** What to do to one call. */
  public enum Fault {
    /** Throw {@link BackendUnavailableException}; the backend never sees the call. */
    FAIL_BEFORE,
    /** Let the backend do the work, then throw as if the answer was lost. */
    FAIL_AFTER,
    /** Block until {@link #releaseHangs()} or 60 s, then throw; the backend never sees the call. */
    HANG_BEFORE,
    /** Let the backend do the work, then block as {@link #HANG_BEFORE}. */
    HANG_AFTER
  }

  /** Decides, call by call, whether and how to fault. */
  @FunctionalInterface
  public interface FaultPlan {
    /**
     * @return the fault for this call, or {@code null} to let it through
     */
    Fault decide(long callNumber, Operation op);

    static FaultPlan none() {
      return (n, op) -> null;
    }

    /** Faults exactly the {@code n}th call (1-based) counted over {@code targets} operations. */
    static FaultPlan nth(long n, Fault fault, Operation... targets) {
      java.util.Set<Operation> set =
          targets.length == 0
              ? java.util.EnumSet.allOf(Operation.class)
              : java.util.EnumSet.copyOf(java.util.Arrays.asList(targets));
      AtomicLong seen = new AtomicLong();
      return (call, op) -> set.contains(op) && seen.incrementAndGet() == n ? fault : null;
    }

    /**
     * Faults a {@code rate} share of calls with a fault drawn from {@code kinds}, replayable by
     * {@code seed}.
     */
    static FaultPlan random(long seed, double rate, Fault... kinds) {
      Random random = new Random(seed);
      return (call, op) -> {
        synchronized (random) {
          return random.nextDouble() < rate ? kinds[random.nextInt(kinds.length)] : null;
        }
      };
    }
  }

  private final Keystore delegate;
  private final AtomicReference<FaultPlan> plan = new AtomicReference<>(FaultPlan.none());
  private final AtomicLong calls = new AtomicLong();
  private final AtomicLong faults = new AtomicLong();
  private volatile CountDownLatch hangs = new CountDownLatch(1);

  public FaultInjectingKeystore(Keystore delegate) {
    this.delegate = delegate;
  }

  /** Replaces the plan; takes effect on the next call. */
  public FaultInjectingKeystore plan(FaultPlan next) {
    plan.set(next);
    return this;
  }

  /**
   * @return calls seen so far (faulted or not)
   */
  public long calls() {
    return calls.get();
  }

  /**
   * @return calls faulted so far
   */
  public long faultsInjected() {
    return faults.get();
  }

  /** Releases every call hanging now; later hangs block again. */
  public void releaseHangs() {
    CountDownLatch old = hangs;
    hangs = new CountDownLatch(1);
    old.countDown();
  }

  /**
   * @return the wrapped backend, to inspect what it really holds
   */
  public Keystore delegate() {
    return delegate;
  }

  @Override
  public BackendInfo info() {
    return delegate.info();
  }

  @Override
  public long store(KeyMetadata metadata, byte[] sealed) throws KeystoreException {
    return call(Operation.STORE, metadata.ref(), () -> delegate.store(metadata, sealed));
  }

  @Override
  public KeyRecord retrieve(KeyRef ref) throws KeystoreException {
    return call(Operation.RETRIEVE, ref, () -> delegate.retrieve(ref));
  }

  @Override
  public long updateMetadata(KeyMetadata updated, long expectedRevision) throws KeystoreException {
    return call(
        Operation.UPDATE, updated.ref(), () -> delegate.updateMetadata(updated, expectedRevision));
  }

  @Override
  public long replaceSealed(KeyMetadata updated, byte[] sealed, long expectedRevision)
      throws KeystoreException {
    return call(
        Operation.UPDATE,
        updated.ref(),
        () -> delegate.replaceSealed(updated, sealed, expectedRevision));
  }

  @Override
  public boolean delete(KeyRef ref) throws KeystoreException {
    return call(Operation.DELETE, ref, () -> delegate.delete(ref));
  }

  @Override
  public Page<KeyMetadata> list(KeyFilter filter) throws KeystoreException {
    return call(Operation.LIST, null, () -> delegate.list(filter));
  }

  /** Health is never faulted: it reports the wrapped backend's own view. */
  @Override
  public BackendHealth health() {
    return delegate.health();
  }

  private interface Call<T> {
    T run() throws KeystoreException;
  }

  private <T> T call(Operation op, KeyRef ref, Call<T> work) throws KeystoreException {
    Fault fault = plan.get().decide(calls.incrementAndGet(), op);
    if (fault == null) {
      return work.run();
    }
    faults.incrementAndGet();
    if (fault == Fault.FAIL_AFTER || fault == Fault.HANG_AFTER) {
      work.run();
    }
    if (fault == Fault.HANG_BEFORE || fault == Fault.HANG_AFTER) {
      hang();
    }
    throw new BackendUnavailableException(
        delegate.info().name(),
        ref,
        "injected fault " + fault + " on " + op,
        Duration.ofMillis(10),
        null);
  }

  private void hang() {
    try {
      hangs.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "FaultInjectingKeystore["
        + delegate.info().name()
        + ", "
        + faults.get()
        + "/"
        + calls.get()
        + " faulted]";
  }
}
