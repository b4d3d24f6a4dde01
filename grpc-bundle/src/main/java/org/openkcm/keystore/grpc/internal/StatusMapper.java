package org.openkcm.keystore.grpc.internal;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import org.openkcm.keystore.model.BackendSealedException;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.CapacityExceededException;
import org.openkcm.keystore.model.ConcurrentUpdateException;
import org.openkcm.keystore.model.IntegrityException;
import org.openkcm.keystore.model.InvalidConfigurationException;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyAlreadyExistsException;
import org.openkcm.keystore.model.KeyNotFoundException;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.PermissionDeniedException;

/**
 * One gRPC status per typed error, with a {@code google.rpc.ErrorInfo} whose reason is the error's
 * name (KeyNotFound, ...) and whose metadata names the backend and, for INVALID_ARGUMENT, the
 * field; UNAVAILABLE carries a {@code google.rpc.RetryInfo}. Messages are the core's, which name
 * keys and backends but never material, tokens or sealed bytes; they are cut to printable ASCII of
 * bounded length all the same.
 */
final class StatusMapper {
  static final String DOMAIN = "keystore.openkcm.org";
  private static final int MAX_MESSAGE = 512;

  /** Every NOT_FOUND reads the same, whatever was missing or hidden. */
  static final String NOT_FOUND = "key not found";

  private final Duration defaultRetry;

  StatusMapper(Duration defaultRetry) {
    this.defaultRetry = defaultRetry;
  }

  StatusRuntimeException toStatus(KeystoreException e) {
    Status.Code code = code(e);
    ErrorInfo.Builder info = ErrorInfo.newBuilder().setDomain(DOMAIN).setReason(reason(e));
    // a not-found names no backend: another owner's key and a missing key must look the same
    if (code != Status.Code.NOT_FOUND) {
      e.backend().ifPresent(b -> info.putMetadata("backend", b));
    }
    if (e instanceof InvalidKeyRequestException i) {
      info.putMetadata("field", i.field());
    } else if (e instanceof InvalidConfigurationException c) {
      c.field().ifPresent(f -> info.putMetadata("field", f));
    }
    com.google.rpc.Status.Builder s =
        com.google.rpc.Status.newBuilder()
            .setCode(code.value())
            .setMessage(code == Status.Code.NOT_FOUND ? NOT_FOUND : message(e))
            .addDetails(Any.pack(info.build()));
    if (code == Status.Code.UNAVAILABLE) {
      Duration d =
          e instanceof BackendUnavailableException u
              ? u.retryAfter().orElse(defaultRetry)
              : defaultRetry;
      s.addDetails(
          Any.pack(
              RetryInfo.newBuilder()
                  .setRetryDelay(
                      com.google.protobuf.Duration.newBuilder()
                          .setSeconds(d.getSeconds())
                          .setNanos(d.getNano()))
                  .build()));
    }
    return StatusProto.toStatusRuntimeException(s.build());
  }

  /** The same answer whether the key is missing or belongs to an owner the client may not see. */
  StatusRuntimeException notFound(String what) {
    return toStatus(new KeyNotFoundException(null, null, what));
  }

  StatusRuntimeException denied(String message) {
    return toStatus(new PermissionDeniedException(null, null, message));
  }

  static Status.Code code(KeystoreException e) {
    if (e instanceof KeyNotFoundException) {
      return Status.Code.NOT_FOUND;
    } else if (e instanceof KeyAlreadyExistsException) {
      return Status.Code.ALREADY_EXISTS;
    } else if (e instanceof ConcurrentUpdateException) {
      return Status.Code.ABORTED;
    } else if (e instanceof BackendSealedException || e instanceof BackendUnavailableException) {
      return Status.Code.UNAVAILABLE;
    } else if (e instanceof InvalidKeyRequestException
        || e instanceof InvalidConfigurationException) {
      return Status.Code.INVALID_ARGUMENT;
    } else if (e instanceof PermissionDeniedException) {
      return Status.Code.PERMISSION_DENIED;
    } else if (e instanceof IntegrityException) {
      return Status.Code.DATA_LOSS;
    } else if (e instanceof CapacityExceededException) {
      return Status.Code.RESOURCE_EXHAUSTED;
    }
    return Status.Code.INTERNAL;
  }

  private static String reason(KeystoreException e) {
    String n = e.getClass().getSimpleName();
    return n.endsWith("Exception") ? n.substring(0, n.length() - "Exception".length()) : n;
  }

  private static String message(KeystoreException e) {
    String m = e.getMessage() == null ? reason(e) : e.getMessage();
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < m.length() && b.length() < MAX_MESSAGE; i++) {
      char c = m.charAt(i);
      b.append(c >= 0x20 && c < 0x7F ? c : '?');
    }
    return b.toString();
  }
}
