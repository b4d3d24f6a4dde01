package org.openkcm.keystore.model;

import java.time.Duration;
import java.util.Optional;

/**
 * The backend cannot be reached, is absent (not registered, bundle stopped), timed out, or asked us
 * to slow down. Transient: {@link #retryAfter()} hints when to try again.
 *
 * <p>For a write that timed out the outcome may be unknown; the core resolves that by reading back.
 */
public class BackendUnavailableException extends KeystoreException {
  private static final long serialVersionUID = 1L;

  private final Duration retryAfter;
  private final boolean notSent;

  public BackendUnavailableException(
      String backend, KeyRef key, String message, Duration retryAfter, Throwable cause) {
    this(backend, key, message, retryAfter, cause, false);
  }

  /**
   * @param notSent the request certainly never reached the backend (connection refused, no such
   *     service, circuit breaker open): a write then certainly did not happen, and no read-back is
   *     needed
   * @since 1.1
   */
  public BackendUnavailableException(
      String backend,
      KeyRef key,
      String message,
      Duration retryAfter,
      Throwable cause,
      boolean notSent) {
    super("backend '" + backend + "' unavailable: " + message, key, backend, cause);
    this.retryAfter = retryAfter;
    this.notSent = notSent;
  }

  /**
   * @return whether the request certainly never reached the backend (otherwise its outcome may be
   *     unknown)
   */
  public boolean certainlyNotSent() {
    return notSent;
  }

  public BackendUnavailableException(String backend, String message, Duration retryAfter) {
    this(backend, null, message, retryAfter, null);
  }

  /**
   * @return how long to wait before retrying, when the backend or the core knows.
   */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  @Override
  public boolean isTransient() {
    return true;
  }
}
