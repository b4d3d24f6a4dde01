package org.openkcm.keystore.model;

/** A key with the same id and version already exists; nothing was written. */
public class KeyAlreadyExistsException extends KeystoreException {
  private static final long serialVersionUID = 1L;

  public KeyAlreadyExistsException(KeyRef key, String backend, String message) {
    super(message, key, backend, null);
  }

  public KeyAlreadyExistsException(KeyRef key, String backend, String message, Throwable cause) {
    super(message, key, backend, cause);
  }
}
