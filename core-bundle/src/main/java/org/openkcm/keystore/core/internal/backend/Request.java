package org.openkcm.keystore.core.internal.backend;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.spi.Keystore;

/**
 * One caller's request to one backend: the attempts it makes ({@link CallGuard#attempt}, each under
 * its own deadline), and when it makes another. Only {@link BackendUnavailableException} (no usable
 * answer) is retried, at most {@value #ATTEMPTS} attempts with exponential backoff; a sealed
 * backend, a missing key or a lost race is an answer, not a glitch. A retry hint longer than the
 * largest backoff (a deadline that passed, a full pool, an open breaker) ends the request at once:
 * the caller gets the hint. When the service an attempt used was replaced meanwhile (bundle update,
 * higher-ranked service) the next attempt goes to its successor at once, whatever the hint.
 *
 * <p>The whole request is one breaker outcome ({@link GuardedKeystore}); writes use {@link
 * WriteReadBack} on top of these attempts.
 */
final class Request {
  static final int ATTEMPTS = 4;
  static final Duration FIRST_BACKOFF = Duration.ofMillis(2);
  static final Duration MAX_BACKOFF = Duration.ofMillis(50);

  private final CallGuard guard;
  private final KeyRef ref;
  private final Duration timeout;
  private Keystore lastService;

  Request(CallGuard guard, KeyRef ref, Duration timeout) {
    this.guard = guard;
    this.ref = ref;
    this.timeout = timeout;
  }

  KeyRef ref() {
    return ref;
  }

  String backend() {
    return guard.name();
  }

  /** One attempt, no retry. */
  <T> T once(CallGuard.Call<T> call) throws KeystoreException {
    lastService = null; // stays null when no service could be had
    return guard.attempt(ref, timeout, call, s -> lastService = s);
  }

  /** An idempotent call (retrieve, list, delete, a read-back): retried as described above. */
  <T> T idempotent(CallGuard.Call<T> call) throws KeystoreException {
    for (int attempt = 0; ; attempt++) {
      try {
        return once(call);
      } catch (BackendUnavailableException e) {
        if (!mayRetry(e, attempt)) {
          throw e;
        }
      }
    }
  }

  /**
   * Decides, after failed attempt {@code attempt} (0-based), whether another is made, and backs off
   * before it.
   */
  boolean mayRetry(BackendUnavailableException failure, int attempt)
      throws BackendUnavailableException {
    if (attempt + 1 >= ATTEMPTS) {
      return false;
    }
    if (replaced()) {
      return true;
    }
    if (tooLong(failure)) {
      return false;
    }
    pause(Math.min(FIRST_BACKOFF.toNanos() << (2 * attempt), MAX_BACKOFF.toNanos()));
    return true;
  }

  /**
   * @return whether a write whose answer was lost and whose record was read back absent should be
   *     sent again: not when the failure's hint says to wait longer than the largest backoff
   */
  boolean mayResend(BackendUnavailableException failure) {
    return replaced() || !tooLong(failure);
  }

  /**
   * @return whether the service the last attempt used is no longer the one calls go to (replaced,
   *     or gone: the next attempt then waits for its successor within the absent wait)
   */
  private boolean replaced() {
    return lastService != null && guard.currentService() != lastService;
  }

  private static boolean tooLong(BackendUnavailableException e) {
    return e.retryAfter().map(d -> d.compareTo(MAX_BACKOFF) > 0).orElse(false);
  }

  private void pause(long nanos) throws BackendUnavailableException {
    LockSupport.parkNanos(nanos);
    if (Thread.currentThread().isInterrupted()) {
      throw new BackendUnavailableException(
          guard.name(), ref, "interrupted while backing off", null, null);
    }
  }
}
