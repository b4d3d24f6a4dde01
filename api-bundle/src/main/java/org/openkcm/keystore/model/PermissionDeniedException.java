package org.openkcm.keystore.model;

/**
 * The backend refused the operation for lack of permission (e.g. an OpenBao policy); the message
 * names the path.
 */
public class PermissionDeniedException extends KeystoreException {
  private static final long serialVersionUID = 1L;

  public PermissionDeniedException(KeyRef key, String backend, String message) {
    super(message, key, backend, null);
  }

  public PermissionDeniedException(KeyRef key, String backend, String message, Throwable cause) {
    super(message, key, backend, cause);
  }
}
