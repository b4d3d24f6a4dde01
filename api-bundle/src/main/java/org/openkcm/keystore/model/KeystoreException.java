package org.openkcm.keystore.model;

import java.util.Optional;

/**
 * Root of the checked exceptions of the keystore. Callers always get one of its subclasses, never a
 * raw HTTP, driver or OSGi exception. Messages name the key and the backend, never key material or
 * tokens.
 */
public abstract class KeystoreException extends Exception {
  private static final long serialVersionUID = 1L;

  private final KeyRef key;
  private final String backend;

  protected KeystoreException(String message, KeyRef key, String backend, Throwable cause) {
    super(message, cause);
    this.key = key;
    this.backend = backend;
  }

  /**
   * @return the key the failed operation was about, when there was one.
   */
  public Optional<KeyRef> key() {
    return Optional.ofNullable(key);
  }

  /**
   * @return the name of the backend that failed, when a backend was involved.
   */
  public Optional<String> backend() {
    return Optional.ofNullable(backend);
  }

  /**
   * @return whether the same call may succeed if retried later (backend sealed or unavailable).
   */
  public boolean isTransient() {
    return false;
  }
}
