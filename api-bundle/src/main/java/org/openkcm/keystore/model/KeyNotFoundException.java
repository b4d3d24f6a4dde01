package org.openkcm.keystore.model;

/** The key (or that version of it) does not exist in the backend asked. */
public class KeyNotFoundException extends KeystoreException {
  private static final long serialVersionUID = 1L;

  public KeyNotFoundException(KeyRef key, String backend, String message) {
    super(message, key, backend, null);
  }

  public KeyNotFoundException(KeyRef key, String backend, String message, Throwable cause) {
    super(message, key, backend, cause);
  }
}
