package org.openkcm.keystore.model;

/** The backend is full (e.g. the InMemory entry bound was reached); nothing was written. */
public class CapacityExceededException extends KeystoreException {
  private static final long serialVersionUID = 1L;

  public CapacityExceededException(KeyRef key, String backend, String message) {
    super(message, key, backend, null);
  }

  public CapacityExceededException(KeyRef key, String backend, String message, Throwable cause) {
    super(message, key, backend, cause);
  }
}
