package org.openkcm.keystore.postgres.internal;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.CapacityExceededException;
import org.openkcm.keystore.model.ConcurrentUpdateException;
import org.openkcm.keystore.model.KeyAlreadyExistsException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.PermissionDeniedException;

/**
 * Maps SQLSTATEs to the contract's typed exceptions. No driver exception becomes a cause (callers
 * could not load its class, and its message may quote a statement); the message names the
 * operation, the SQLSTATE and the key, never a parameter value.
 */
final class PgErrors {
  /** How long a caller should wait after a lost connection or an overloaded server. */
  static final Duration RETRY_AFTER = Duration.ofSeconds(1);

  static final String READ_ONLY = "25006";

  private PgErrors() {}

  static KeystoreException map(String backend, KeyRef key, String what, SQLException e) {
    String state = state(e);
    String cls = state.length() >= 2 ? state.substring(0, 2) : "";
    String at = what + " (SQLSTATE " + (state.isEmpty() ? "none" : state) + ")";
    switch (state) {
      case "23505":
        return new KeyAlreadyExistsException(key, backend, "key " + key + " already exists: " + at);
      case "40001":
      case "40P01":
        return new ConcurrentUpdateException(
            key, backend, "serialization failure, another writer changed " + key + " first: " + at);
      case READ_ONLY:
        return new BackendUnavailableException(
            backend,
            key,
            "the server is a read-only standby (or the database is read-only): " + at,
            RETRY_AFTER,
            null);
      case "53100":
        return new CapacityExceededException(
            key, backend, "the database server's disk is full: " + at);
      case "42501":
        return new PermissionDeniedException(
            key, backend, "permission denied by PostgreSQL: " + at);
      case "57014":
        return new BackendUnavailableException(
            backend, key, "statement timed out: " + at, RETRY_AFTER, null);
      case "42P01":
      case "3F000":
        return new BackendUnavailableException(
            backend, key, "the keystore schema or table is missing: " + at, null, null);
      default:
        break;
    }
    if (e instanceof SQLTransientConnectionException
        || cls.equals("08")
        || cls.equals("57")
        || cls.equals("53")) {
      return new BackendUnavailableException(
          backend, key, "connection lost or refused: " + at, RETRY_AFTER, null);
    }
    if (cls.equals("28")) {
      return new BackendUnavailableException(
          backend, key, "authentication failed: " + at, null, null);
    }
    return new BackendUnavailableException(backend, key, "database error: " + at, null, null);
  }

  /**
   * @return whether the failure means the connection (not the statement) is bad
   */
  static boolean isConnectionLoss(SQLException e) {
    String s = state(e);
    return e instanceof SQLTransientConnectionException
        || s.startsWith("08")
        || s.startsWith("57P");
  }

  /** The SQLSTATE of the exception or the first chained one that has one; empty if none. */
  static String state(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && s.getSQLState() != null) {
        return s.getSQLState();
      }
    }
    return "";
  }
}
