package org.openkcm.keystore.core.internal.cache;

import com.github.benmanes.caffeine.cache.Ticker;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A clock for the caches that costs one volatile read: a daemon thread refreshes it every {@value
 * #RESOLUTION_MILLIS} ms. Caffeine reads its ticker on every access of a cache with idle expiry;
 * measured here, that read plus the access-time write it triggers tripled a plaintext hit (see
 * docs/crypto.md). Entries may live up to one resolution step longer than their TTL/idle time.
 */
final class CoarseTicker implements Ticker, AutoCloseable {
  static final long RESOLUTION_MILLIS = 50;
  private final ScheduledExecutorService clock;
  private volatile long now = System.nanoTime();

  CoarseTicker() {
    clock =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "openkcm-keystore-cache-clock");
              t.setDaemon(true);
              return t;
            });
    clock.scheduleAtFixedRate(
        () -> now = System.nanoTime(), RESOLUTION_MILLIS, RESOLUTION_MILLIS, TimeUnit.MILLISECONDS);
  }

  @Override
  public long read() {
    return now;
  }

  @Override
  public void close() {
    clock.shutdownNow();
  }
}
