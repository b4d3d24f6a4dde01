package org.openkcm.keystore.grpc.internal;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.time.Instant;
import org.openkcm.keystore.audit.OperationEvent;

/**
 * The outermost interceptor of the keystore's services: every call, whatever ends it, becomes one
 * {@value #OPERATION} event with the method as subject, the client identity as actor and the status
 * code as outcome. The metrics count every one; the audit trail records the calls whose outcome the
 * door decided itself (refused by authorization, an invalid request, an owner the client may not
 * see, a call that failed before it ran): the others reached the core, which records them.
 */
final class CallAccounting implements ServerInterceptor {
  /** The operation name of a gRPC call's event. */
  static final String OPERATION = "grpc.call";

  static final Context.Key<Record> RECORD = Context.key("openkcm.keystore.call-record");
  private static final String PACKAGE = "openkcm.keystore.v1.";

  private final DoorObservers observers;

  CallAccounting(DoorObservers observers) {
    this.observers = observers;
  }

  /** What a call's event is made of, filled in while it runs. */
  static final class Record {
    private final String method;
    private final Instant start = Instant.now();
    private final long startNanos = System.nanoTime();
    private volatile String actor = "grpc:" + ClientIdentity.ANONYMOUS;
    private volatile boolean coreAccounted;

    Record(String method) {
      this.method = method;
    }

    /** The client's identity as the authorization table matched it, or its certificate's name. */
    void actor(String identity) {
      actor = "grpc:" + identity;
    }

    /** The core accounted for the call's outcome (it ran the operation and recorded it). */
    void coreAccounted() {
      coreAccounted = true;
    }

    boolean accountedByCore() {
      return coreAccounted;
    }

    OperationEvent event(Status status) {
      return OperationEvent.builder(OPERATION, start)
          .actor(actor)
          .subject(method)
          .outcome(status.isOk() ? OperationEvent.OK : status.getCode().name())
          .durationNanos(System.nanoTime() - startNanos)
          .build();
    }
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String full = call.getMethodDescriptor().getFullMethodName();
    if (!full.startsWith(PACKAGE)) {
      return next.startCall(call, headers);
    }
    Record record = new Record(full.substring(PACKAGE.length()));
    ServerCall<Q, R> counted =
        new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            boolean durable = observers.completed(record.event(status), !record.accountedByCore());
            if (status.isOk() && !durable) {
              // the operation ran, but its entry is not durable: not acknowledged (as in the core)
              super.close(
                  Status.UNAVAILABLE.withDescription(
                      "the audit entry of this call could not be written; it is not acknowledged"),
                  new Metadata());
              return;
            }
            super.close(status, trailers);
          }
        };
    return Contexts.interceptCall(
        Context.current().withValue(RECORD, record), counted, headers, next);
  }
}
