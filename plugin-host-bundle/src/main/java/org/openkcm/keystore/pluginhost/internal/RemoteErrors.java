package org.openkcm.keystore.pluginhost.internal;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
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
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyAlreadyExistsException;
import org.openkcm.keystore.model.KeyNotFoundException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.PermissionDeniedException;

/**
 * A plugin's gRPC status as the typed error of the contract. Whatever the plugin does wrong (crash,
 * hang, a status this contract does not use) the caller gets a {@link KeystoreException}: transport
 * failures and unknown codes are {@link BackendUnavailableException}. The plugin's message is cut
 * to printable ASCII of bounded length before it reaches a log or a caller.
 */
final class RemoteErrors {
  private static final int MAX_MESSAGE = 256;

  private RemoteErrors() {}

  static KeystoreException map(
      String backend, KeyRef ref, StatusRuntimeException e, Duration defaultRetry) {
    Status.Code code = e.getStatus().getCode();
    String message = printable(e.getStatus().getDescription());
    ErrorInfo info = null;
    Duration retry = defaultRetry;
    com.google.rpc.Status details = StatusProto.fromThrowable(e);
    if (details != null) {
      for (Any a : details.getDetailsList()) {
        try {
          if (a.is(ErrorInfo.class)) {
            info = a.unpack(ErrorInfo.class);
          } else if (a.is(RetryInfo.class)) {
            com.google.protobuf.Duration d = a.unpack(RetryInfo.class).getRetryDelay();
            retry = Duration.ofSeconds(d.getSeconds(), d.getNanos());
          }
        } catch (InvalidProtocolBufferException ignored) {
          // an undecodable detail is no detail
        }
      }
    }
    String reason = info == null ? "" : info.getReason();
    return switch (code) {
      case NOT_FOUND -> new KeyNotFoundException(ref, backend, message);
      case ALREADY_EXISTS -> new KeyAlreadyExistsException(ref, backend, message);
      case ABORTED -> new ConcurrentUpdateException(ref, backend, message);
      case INVALID_ARGUMENT ->
          new InvalidKeyRequestException(
              info == null || info.getMetadataOrDefault("field", "").isEmpty()
                  ? "request"
                  : printable(info.getMetadataOrDefault("field", "")),
              message);
      case RESOURCE_EXHAUSTED -> new CapacityExceededException(ref, backend, message);
      case DATA_LOSS -> new IntegrityException(ref, backend, message);
      case PERMISSION_DENIED -> new PermissionDeniedException(ref, backend, message);
      case UNAVAILABLE ->
          "BackendSealed".equals(reason)
              ? new BackendSealedException(backend, ref, null)
              : new BackendUnavailableException(
                  backend, ref, "plugin unavailable: " + message, retry, null);
      case DEADLINE_EXCEEDED ->
          new BackendUnavailableException(
              backend, ref, "plugin did not answer within the deadline", defaultRetry, null);
      default ->
          new BackendUnavailableException(
              backend, ref, "plugin failed (" + code + ")", defaultRetry, null);
    };
  }

  static String printable(String m) {
    if (m == null) {
      return "";
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < m.length() && b.length() < MAX_MESSAGE; i++) {
      char c = m.charAt(i);
      b.append(c >= 0x20 && c < 0x7F ? c : '?');
    }
    return b.toString();
  }
}
