package org.openkcm.keystore.model;

/** Another writer changed the record first (optimistic concurrency); re-read and retry. */
public class ConcurrentUpdateException extends KeystoreException {
  private static final long serialVersionUID = 1L;

  public ConcurrentUpdateException(KeyRef key, String backend, String message) {
    super(message, key, backend, null);
  }

  public ConcurrentUpdateException(KeyRef key, String backend, String message, Throwable cause) {
    super(message, key, backend, cause);
  }
}
