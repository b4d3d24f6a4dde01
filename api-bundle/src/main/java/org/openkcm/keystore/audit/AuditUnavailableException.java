package org.openkcm.keystore.audit;

import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.KeyRef;

/**
 * No audit sink could make the entry of an operation durable, so the operation is refused (or, when
 * it already ran, not acknowledged). Transient: operations succeed again once a sink can write.
 */
public class AuditUnavailableException extends BackendUnavailableException {
  private static final long serialVersionUID = 1L;

  /** Name under which the audit trail appears as a backend in errors and health. */
  public static final String AUDIT = "audit";

  public AuditUnavailableException(KeyRef key, String message, Throwable cause) {
    super(AUDIT, key, message, null, cause, false);
  }
}
