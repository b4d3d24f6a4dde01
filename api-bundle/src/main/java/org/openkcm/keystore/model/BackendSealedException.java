package org.openkcm.keystore.model;

/**
 * The backend is sealed (OpenBao answered 503 sealed): it holds the data but cannot serve until
 * unsealed.
 */
public class BackendSealedException extends KeystoreException {
  private static final long serialVersionUID = 1L;

  public BackendSealedException(String backend, KeyRef key, Throwable cause) {
    super("backend '" + backend + "' is sealed", key, backend, cause);
  }

  @Override
  public boolean isTransient() {
    return true;
  }
}
