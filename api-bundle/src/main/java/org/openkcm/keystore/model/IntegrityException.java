package org.openkcm.keystore.model;

/**
 * A sealed record failed to open: it was altered, moved to another identity, or its metadata was
 * edited.
 */
public class IntegrityException extends KeystoreException {
  private static final long serialVersionUID = 1L;

  public IntegrityException(KeyRef key, String backend, String message) {
    super(message, key, backend, null);
  }

  public IntegrityException(KeyRef key, String backend, String message, Throwable cause) {
    super(message, key, backend, cause);
  }
}
