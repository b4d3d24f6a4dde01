package org.openkcm.keystore.core.internal.keys;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.KeystoreException;

/**
 * Retry with exponential backoff, for idempotent calls only (retrieve, list, delete, a read-back).
 * Only {@link BackendUnavailableException} is retried: a sealed backend, a missing key or a lost
 * race is an answer, not a glitch. A retry hint longer than the largest backoff (an open circuit
 * breaker) is respected by giving up at once instead of waiting: the caller gets the hint.
 */
final class Retries {
  static final int ATTEMPTS = 4;
  static final Duration FIRST_BACKOFF = Duration.ofMillis(2);
  static final Duration MAX_BACKOFF = Duration.ofMillis(50);

  /** One idempotent call. */
  @FunctionalInterface
  interface Idempotent<T> {
    T call() throws KeystoreException;
  }

  private Retries() {}

  static <T> T idempotent(Idempotent<T> call) throws KeystoreException {
    long backoff = FIRST_BACKOFF.toNanos();
    for (int attempt = 1; ; attempt++) {
      try {
        return call.call();
      } catch (BackendUnavailableException e) {
        if (attempt >= ATTEMPTS
            || e.retryAfter().map(d -> d.compareTo(MAX_BACKOFF) > 0).orElse(false)) {
          throw e;
        }
        pause(backoff);
        backoff = Math.min(backoff * 4, MAX_BACKOFF.toNanos());
      }
    }
  }

  /**
   * Backs off before attempt {@code attempt + 1} of a write whose failed attempts never reached the
   * backend.
   *
   * @return false if no attempt is left
   */
  static boolean pause(int attempt) throws BackendUnavailableException {
    if (attempt + 1 >= ATTEMPTS) {
      return false;
    }
    pause(Math.min(FIRST_BACKOFF.toNanos() << (2 * attempt), MAX_BACKOFF.toNanos()));
    return true;
  }

  private static void pause(long nanos) throws BackendUnavailableException {
    LockSupport.parkNanos(nanos);
    if (Thread.currentThread().isInterrupted()) {
      throw new BackendUnavailableException("core", "interrupted while backing off", null);
    }
  }
}
