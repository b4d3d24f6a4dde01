package org.openkcm.keystore.grpc.internal;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import org.openkcm.keystore.audit.Actor;
import org.openkcm.keystore.audit.OperationEvent;
import org.openkcm.keystore.model.KeystoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the body of a unary call: nothing starts once the client's deadline has passed or the call
 * was cancelled (so no write happens that the caller will never hear of), typed errors become their
 * status, and anything unexpected becomes INTERNAL with a message that carries nothing from the
 * request. The client's identity is the actor the audit trail records for the call. When the core
 * recorded the very outcome the caller sees, the call is marked as accounted for by the core
 * ({@link CallAccounting}).
 */
final class Calls {
  private static final Logger LOG = LoggerFactory.getLogger(Calls.class);

  /** A call body; it may throw typed errors or a ready status. */
  interface Body<T> {
    T run(ClientGrant grant) throws KeystoreException;
  }

  private final StatusMapper errors;
  private final DoorObservers observers;

  Calls(StatusMapper errors) {
    this(errors, new DoorObservers());
  }

  Calls(StatusMapper errors, DoorObservers observers) {
    this.errors = errors;
    this.observers = observers;
  }

  <T> void unary(String operation, StreamObserver<T> out, Body<T> body) {
    Context ctx = Context.current();
    if (ctx.isCancelled()) {
      out.onError(
          ctx.getDeadline() != null && ctx.getDeadline().isExpired()
              ? Status.DEADLINE_EXCEEDED
                  .withDescription("deadline passed before " + operation + " started")
                  .asRuntimeException()
              : Status.CANCELLED
                  .withDescription("cancelled before " + operation + " started")
                  .asRuntimeException());
      return;
    }
    T result;
    ClientGrant grant = AuthorizationInterceptor.GRANT.get();
    CallAccounting.Record record = CallAccounting.RECORD.get();
    String[] coreOutcome = CoreEventWitness.watch();
    try (Actor.Scope actor = Actor.enter(grant == null ? "grpc" : "grpc:" + grant.identity())) {
      observers.admit("gRPC " + operation); // no trail can write: refused before anything runs
      result = body.run(grant);
      accountedBy(record, coreOutcome, OperationEvent.OK);
    } catch (KeystoreException e) {
      accountedBy(record, coreOutcome, OperationEvent.kindOf(e));
      out.onError(errors.toStatus(e));
      return;
    } catch (StatusRuntimeException e) {
      out.onError(e);
      return;
    } catch (RuntimeException e) {
      LOG.error("{} failed unexpectedly: {}", operation, e.getClass().getName());
      out.onError(
          Status.INTERNAL
              .withDescription(operation + " failed inside the keystore")
              .asRuntimeException());
      return;
    } finally {
      CoreEventWitness.stop();
    }
    out.onNext(result);
    out.onCompleted();
  }

  /** The core recorded the outcome the caller is about to see: its entry accounts for the call. */
  private static void accountedBy(CallAccounting.Record record, String[] core, String outcome) {
    if (record != null && outcome.equals(core[0])) {
      record.coreAccounted();
    }
  }
}
