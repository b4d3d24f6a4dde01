package org.openkcm.keystore.core.internal.observe;

import java.time.Instant;
import org.openkcm.keystore.audit.Actor;
import org.openkcm.keystore.audit.OperationEvent;
import org.openkcm.keystore.model.KeystoreException;

/**
 * Runs one call of a door under the observers: admit, time, describe the outcome, report, and only
 * then hand the result (or the error) to the caller. A result the observers did not acknowledge is
 * closed when it holds material (an opened key).
 */
final class ObservedCall {
  private final Observers observers;
  private final String bundle;

  ObservedCall(Observers observers, String bundle) {
    this.observers = observers;
    this.bundle = bundle;
  }

  @FunctionalInterface
  interface Body<T> {
    T run() throws KeystoreException;
  }

  @FunctionalInterface
  interface Describe<T> {
    void describe(OperationEvent.Builder event, T result);
  }

  <T> T run(String operation, Describe<Void> before, Body<T> body, Describe<T> after)
      throws KeystoreException {
    observers.admit(operation);
    if (observers.none()) {
      return body.run(); // admitted, and no one to tell: no event to build on the hot path
    }
    long start = System.nanoTime();
    OperationEvent.Builder event =
        OperationEvent.builder(operation, Instant.now())
            .actor(Actor.current().orElse(bundle == null ? null : "bundle:" + bundle))
            .bundle(bundle);
    before.describe(event, null);
    T result;
    try {
      result = body.run();
    } catch (KeystoreException | RuntimeException e) {
      report(event.outcome(OperationEvent.kindOf(e)), start, e);
      throw e;
    }
    after.describe(event, result);
    try {
      observers.completed(event.durationNanos(System.nanoTime() - start).build());
    } catch (KeystoreException e) {
      if (result instanceof AutoCloseable c) {
        closeQuietly(c, e);
      }
      throw e;
    }
    return result;
  }

  private void report(OperationEvent.Builder event, long start, Exception failure) {
    try {
      observers.completed(event.durationNanos(System.nanoTime() - start).build());
    } catch (KeystoreException e) {
      failure.addSuppressed(e);
    }
  }

  private static void closeQuietly(AutoCloseable c, Exception failure) {
    try {
      c.close();
    } catch (Exception e) {
      failure.addSuppressed(e);
    }
  }
}
