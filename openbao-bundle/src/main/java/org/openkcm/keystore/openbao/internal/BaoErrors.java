package org.openkcm.keystore.openbao.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import javax.net.ssl.SSLException;
import org.openkcm.keystore.model.BackendSealedException;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.KeyNotFoundException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Limits;
import org.openkcm.keystore.model.PermissionDeniedException;

/**
 * Maps OpenBao answers and transport failures to the contract's typed exceptions. Only JDK
 * transport exceptions are chained as causes (nothing a caller's class loader could not load).
 * Messages name the operation and path, never a token or record bytes.
 */
final class BaoErrors {
  /** OpenBao sends no Retry-After on 429 or a sealed 503: a safe default back-off. */
  static final Duration RATE_LIMIT_BACKOFF = Duration.ofSeconds(1);

  static final String CAS_MISMATCH = "check-and-set parameter did not match";

  private BaoErrors() {}

  /**
   * @return the exception for an HTTP answer that is not a success.
   */
  static KeystoreException fromStatus(
      String backend, KeyRef key, String what, int status, byte[] body) {
    String errors = errors(body);
    switch (status) {
      case 403:
        return new PermissionDeniedException(
            key, backend, "permission denied by OpenBao policy: " + what);
      case 404:
        return new KeyNotFoundException(key, backend, "not found: " + what);
      case 429:
        return new BackendUnavailableException(
            backend, key, "rate limited (429) on " + what, RATE_LIMIT_BACKOFF, null);
      case 503:
        if (errors.toLowerCase(java.util.Locale.ROOT).contains("sealed")) {
          return new BackendSealedException(backend, key, null);
        }
        return new BackendUnavailableException(
            backend, key, "503 on " + what + ": " + errors, RATE_LIMIT_BACKOFF, null);
      case 400:
        if (errors.contains("Upgrading from non-versioned to versioned data")) {
          // a KV mount just enabled or upgraded: OpenBao says it resumes shortly
          return new BackendUnavailableException(
              backend, key, "KV mount is upgrading (400) on " + what, RATE_LIMIT_BACKOFF, null);
        }
        return new BackendUnavailableException(
            backend,
            key,
            "HTTP 400 on " + what + (errors.isEmpty() ? "" : ": " + errors),
            null,
            null);
      default:
        return new BackendUnavailableException(
            backend,
            key,
            "HTTP " + status + " on " + what + (errors.isEmpty() ? "" : ": " + errors),
            status >= 500 ? RATE_LIMIT_BACKOFF : null,
            null);
    }
  }

  /**
   * @return the exception for a request that got no HTTP answer (refused, timed out, TLS,
   *     interrupted).
   */
  static KeystoreException transport(String backend, KeyRef key, String what, Throwable e) {
    Throwable root = jdkCause(e);
    // a refused connection (not a connect timeout) means the request never left: the write did not
    // happen
    boolean notSent =
        root instanceof ConnectException && !(root instanceof HttpConnectTimeoutException);
    return new BackendUnavailableException(
        backend,
        key,
        transportReason(e) + " on " + what,
        null,
        root instanceof IOException || root instanceof InterruptedException ? root : null,
        notSent);
  }

  /**
   * @return a short reason for a failed exchange; restores the interrupt flag when it was an
   *     interrupt.
   */
  static String transportReason(Throwable e) {
    Throwable root = jdkCause(e);
    if (root instanceof HttpConnectTimeoutException) {
      return "connect timed out";
    } else if (root instanceof HttpTimeoutException) {
      return "timed out waiting for an answer";
    } else if (root instanceof ConnectException) {
      return "connection refused";
    } else if (root instanceof SSLException) {
      return "TLS handshake failed";
    } else if (root instanceof InterruptedException || root instanceof InterruptedIOException) {
      Thread.currentThread().interrupt();
      return "interrupted";
    } else if (root instanceof IOException) {
      return "I/O error (" + root.getClass().getSimpleName() + ")";
    }
    return "client error ("
        + (root == null ? e.getClass().getSimpleName() : root.getClass().getSimpleName())
        + ")";
  }

  /**
   * @return whether the answer is OpenBao's check-and-set mismatch (a 400 with its message).
   */
  static boolean isCasMismatch(int status, byte[] body) {
    return status == 400 && errors(body).contains(CAS_MISMATCH);
  }

  /**
   * @return OpenBao's {@code errors} array as one printable line, cut short; empty if none.
   */
  static String errors(byte[] body) {
    if (body == null || body.length == 0) {
      return "";
    }
    try {
      JsonObject o = BaoJson.object(body);
      JsonElement v = o.get("errors");
      if (v == null || !v.isJsonArray()) {
        return "";
      }
      StringBuilder b = new StringBuilder();
      for (JsonElement item : v.getAsJsonArray()) {
        b.append(b.length() == 0 ? "" : "; ")
            .append(item.isJsonPrimitive() ? item.getAsString() : item.toString());
      }
      return Limits.printable(b.toString().replace('\n', ' ').replace('\t', ' '));
    } catch (RuntimeException notJson) {
      return "";
    }
  }

  /**
   * The JDK exception that says what happened: the outermost one, or the IOException inside a
   * wrapper.
   */
  private static Throwable jdkCause(Throwable e) {
    Throwable t = e;
    for (int depth = 0; t != null && depth < 10; depth++, t = t.getCause()) {
      if (t instanceof IOException || t instanceof InterruptedException) {
        return t;
      }
    }
    return e;
  }
}
