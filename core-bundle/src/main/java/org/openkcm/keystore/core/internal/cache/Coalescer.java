package org.openkcm.keystore.core.internal.cache;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.KeystoreException;

/**
 * One backend read per key at a time: callers asking for the same key while a read is under way
 * wait for that read's outcome (value or failure) instead of sending their own. Nothing is kept
 * once the read ends, so a result is never older than the read that produced it.
 */
public final class Coalescer<K, V> {
  /** A read of the backend; its own deadline bounds how long the waiting callers wait. */
  @FunctionalInterface
  public interface Read<V> {
    V read() throws KeystoreException;
  }

  private final ConcurrentHashMap<K, CompletableFuture<V>> inFlight = new ConcurrentHashMap<>();

  V get(K key, Read<V> read) throws KeystoreException {
    CompletableFuture<V> mine = new CompletableFuture<>();
    CompletableFuture<V> running = inFlight.putIfAbsent(key, mine);
    if (running == null) {
      try {
        V v = read.read();
        mine.complete(v);
        return v;
      } catch (KeystoreException | RuntimeException | Error e) {
        mine.completeExceptionally(e);
        throw e;
      } finally {
        inFlight.remove(key, mine);
      }
    }
    try {
      return running.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BackendUnavailableException(null, "interrupted waiting for a backend read", null);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof KeystoreException k) {
        throw k;
      }
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw (Error) cause;
    }
  }

  /**
   * @return reads under way (tests)
   */
  int inFlight() {
    return inFlight.size();
  }
}
