package org.openkcm.keystore.api;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * How busy each backend's call pool (its bulkhead) is: calls running on its workers, calls queued
 * for one, and calls refused because both were full. Provided by the core for metrics and
 * operators; reading it changes nothing.
 */
@ProviderType
public interface BackendPools {

  /**
   * @return one entry per backend the core has called or guards, in no particular order
   */
  List<Pool> pools();

  /**
   * One backend's pool.
   *
   * @param backend the backend's name
   * @param inUse calls running on the pool's workers now
   * @param maxConcurrent the pool's worker limit ({@code maxConcurrentCalls})
   * @param queued calls waiting for a worker now
   * @param maxQueued the queue's limit ({@code maxQueuedCalls})
   * @param rejected calls refused since start because workers and queue were full
   * @param inline whether calls to this backend run on the caller's thread (no pool)
   */
  record Pool(
      String backend,
      int inUse,
      int maxConcurrent,
      int queued,
      int maxQueued,
      long rejected,
      boolean inline) {}
}
