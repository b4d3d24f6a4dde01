package org.openkcm.keystore.core.internal.keys;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeystoreException;

/**
 * A create's re-read of its parent, run on another thread while the child is stored ({@link
 * KeyCreator}). Every create waits for its check before it answers, so no check outlives the call;
 * a check that cannot get a thread runs on the caller's at once.
 */
final class ParentCheck {
  /** The re-read and its checks ({@code KeyCreator#activeParent}). */
  @FunctionalInterface
  interface Body {
    KeyMetadata run() throws KeystoreException;
  }

  private final FutureTask<KeyMetadata> task;

  ParentCheck(Body body) {
    this.task = new FutureTask<>(body::run);
  }

  void start(Executor executor) {
    try {
      executor.execute(task);
    } catch (RejectedExecutionException busy) {
      task.run(); // every thread busy, or shut down: check first, as without the overlap
    }
  }

  /**
   * @return the parent's checked metadata
   * @throws KeystoreException the check's failure (typically {@code InvalidKeyRequestException}
   *     naming {@code parent})
   */
  KeyMetadata await() throws KeystoreException {
    try {
      return task.get();
    } catch (InterruptedException e) {
      task.cancel(true);
      Thread.currentThread().interrupt();
      throw new BackendUnavailableException(
          null, "interrupted while the parent key's state was checked", null);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof KeystoreException k) {
        throw k;
      }
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException("parent check failed", cause);
    }
  }

  /** Waits for the check without caring for its outcome (another failure is the answer). */
  void awaitQuietly() {
    try {
      await();
    } catch (KeystoreException | RuntimeException ignored) {
      // the caller's own failure is what it throws
    }
  }

  /**
   * @return {@code other}, unless the check failed: then the check's failure is thrown ({@code
   *     other} suppressed in it), as when the parent was checked before anything else
   */
  KeystoreException failureOr(KeystoreException other) {
    Exception f = failureOrNull(other);
    if (f instanceof RuntimeException r) {
      throw r;
    }
    return f == null ? other : (KeystoreException) f;
  }

  /** As {@link #failureOr(KeystoreException)} for an unchecked failure. */
  RuntimeException failureOr(RuntimeException other) throws KeystoreException {
    Exception f = failureOrNull(other);
    if (f instanceof KeystoreException k) {
      throw k;
    }
    return f == null ? other : (RuntimeException) f;
  }

  private Exception failureOrNull(Exception other) {
    try {
      await();
      return null;
    } catch (KeystoreException | RuntimeException refused) {
      if (refused != other) {
        refused.addSuppressed(other);
      }
      return refused;
    }
  }
}
