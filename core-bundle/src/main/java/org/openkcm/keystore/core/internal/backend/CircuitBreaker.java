package org.openkcm.keystore.core.internal.backend;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.KeyRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One backend's circuit breaker. CLOSED: calls pass; {@code failures} consecutive calls without a
 * usable answer ({@link BackendUnavailableException}: deadline passed, connection failed, pool
 * full, backend crashed) open it. OPEN: calls fail at once with {@link BackendUnavailableException}
 * whose retry hint is the time left open, so a failing backend is not hammered and callers do not
 * each wait out a deadline. After the open time it is HALF_OPEN: exactly one call (the probe) goes
 * through; its success closes the breaker, its failure opens it again for the full time, and other
 * calls fail fast while the probe is in flight. Any other answer (key not found, sealed, concurrent
 * update) counts as success: the backend answered, fast, and callers must see that exact answer.
 *
 * <p>{@code failures = 0} switches the breaker off.
 */
final class CircuitBreaker {
  private static final Logger LOG = LoggerFactory.getLogger(CircuitBreaker.class);

  /** The breaker's state. */
  enum State {
    CLOSED,
    OPEN,
    HALF_OPEN
  }

  private final String name;
  private final LongSupplier nanoClock;
  private State state = State.CLOSED;
  private int consecutiveFailures;
  private long openUntil;
  private boolean probeInFlight;
  private long opened;

  /**
   * CLOSED with no failure counted: the common case, read without the lock so that a healthy
   * backend's calls never contend on it.
   */
  private volatile boolean clean = true;

  private static final Permit PASS = new Permit(false);

  CircuitBreaker(String name, LongSupplier nanoClock) {
    this.name = name;
    this.nanoClock = nanoClock;
  }

  /** A call's permission; report its outcome exactly once. */
  record Permit(boolean probe) {}

  /**
   * @return a permit for one call
   * @throws BackendUnavailableException at once while open (or while another call is the probe)
   */
  Permit admit(int failures, KeyRef ref) throws BackendUnavailableException {
    if (failures <= 0 || clean) {
      return PASS;
    }
    return admitLocked(failures, ref);
  }

  private synchronized Permit admitLocked(int failures, KeyRef ref)
      throws BackendUnavailableException {
    long now = nanoClock.getAsLong();
    if (state == State.OPEN && now - openUntil >= 0) {
      state = State.HALF_OPEN;
    }
    if (state == State.CLOSED) {
      return PASS;
    }
    if (state == State.HALF_OPEN && !probeInFlight) {
      probeInFlight = true;
      return new Permit(true);
    }
    Duration left = Duration.ofNanos(Math.max(0, openUntil - now));
    throw new BackendUnavailableException(
        name,
        ref,
        "circuit breaker open after "
            + consecutiveFailures
            + " consecutive failures"
            + (state == State.HALF_OPEN ? " (a probe call is in flight)" : ""),
        state == State.HALF_OPEN ? Duration.ofMillis(10) : left,
        null,
        true);
  }

  void success(Permit p) {
    if (!p.probe() && clean) {
      return;
    }
    successLocked(p);
  }

  private synchronized void successLocked(Permit p) {
    if (p.probe()) {
      probeInFlight = false;
    }
    if (state != State.CLOSED) {
      LOG.info("Backend '{}' answered again: circuit breaker closed", name);
    }
    state = State.CLOSED; // any answer proves the backend is back
    consecutiveFailures = 0;
    clean = true;
  }

  synchronized void failure(Permit p, int failures, Duration openTime) {
    if (p.probe()) {
      probeInFlight = false;
    }
    consecutiveFailures++;
    clean = false;
    if (failures <= 0) {
      return;
    }
    if (p.probe() || (state == State.CLOSED && consecutiveFailures >= failures)) {
      state = State.OPEN;
      openUntil = nanoClock.getAsLong() + openTime.toNanos();
      opened++;
      LOG.warn(
          "Backend '{}': circuit breaker open for {} ms after {} consecutive failures",
          name,
          openTime.toMillis(),
          consecutiveFailures);
    }
  }

  synchronized State state() {
    if (state == State.OPEN && nanoClock.getAsLong() - openUntil >= 0) {
      return State.HALF_OPEN;
    }
    return state;
  }

  /**
   * @return a one-line view for operators ({@code KeystoreAdmin.backends()} detail)
   */
  synchronized String describe() {
    State s = state();
    String text = "breaker " + s;
    if (s == State.OPEN) {
      text +=
          " ("
              + Duration.ofNanos(Math.max(0, openUntil - nanoClock.getAsLong())).toMillis()
              + " ms left)";
    }
    if (consecutiveFailures > 0) {
      text += ", " + consecutiveFailures + " consecutive failure(s)";
    }
    return opened > 0 ? text + ", opened " + opened + " time(s)" : text;
  }
}
