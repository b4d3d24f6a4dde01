package org.openkcm.keystore.core.internal.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Scheduler;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import org.openkcm.keystore.api.CacheStatistics;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyTier;

/**
 * Both layers of one tier. The plaintext layer's removal listener zeroizes on every removal cause
 * (size, expiry, explicit invalidation, replacement). It runs on {@code Runnable::run}, i.e. on the
 * thread that removes the entry, not on Caffeine's default ForkJoinPool: zeroization is then done
 * when {@code invalidate} returns. A scheduler sweeps expired entries even when the cache is idle,
 * so expired material does not linger in memory until the next access.
 */
final class TierCaches {
  final KeyTier tier;
  final TierPolicy policy;
  final Cache<KeyRef, PlainEntry> plaintext;
  final Cache<KeyRef, SealedEntry> sealed;
  final LongAdder plainHits = new LongAdder();
  final LongAdder plainMisses = new LongAdder();
  final LongAdder plainEvictions = new LongAdder();
  final LongAdder sealedHits = new LongAdder();
  final LongAdder sealedMisses = new LongAdder();
  final LongAdder sealedEvictions = new LongAdder();

  /** Plaintext entry: metadata for status checks, material for copies, when it was read. */
  record PlainEntry(KeyMetadata metadata, SecretBytes material, long loadedAtNanos) {}

  TierCaches(
      KeyTier tier, TierPolicy policy, Duration extraSealedLife, Ticker ticker, boolean sweep) {
    this.tier = tier;
    this.policy = policy;
    this.plaintext =
        policy.plaintextEnabled()
            ? builder(policy, Duration.ZERO, ticker, sweep)
                .<KeyRef, PlainEntry>removalListener(
                    (k, v, cause) -> {
                      if (v != null) {
                        v.material.destroy();
                      }
                      countEviction(cause, plainEvictions);
                    })
                .build()
            : null;
    this.sealed =
        policy.enabled()
            ? builder(policy, extraSealedLife, ticker, sweep)
                .<KeyRef, SealedEntry>removalListener(
                    (k, v, cause) -> countEviction(cause, sealedEvictions))
                .build()
            : null;
  }

  private static Caffeine<Object, Object> builder(
      TierPolicy p, Duration extraLife, Ticker ticker, boolean sweep) {
    Caffeine<Object, Object> b =
        Caffeine.newBuilder()
            .maximumSize(p.maxEntries())
            .expireAfterWrite(p.ttl().plus(extraLife))
            .ticker(ticker)
            .executor(Runnable::run);
    // with serve-stale, idle expiry would drop the very entries kept to be served stale
    if (extraLife.isZero() && !p.idle().isZero()) {
      b.expireAfterAccess(p.idle());
    }
    return sweep ? b.scheduler(Scheduler.systemScheduler()) : b;
  }

  private static void countEviction(RemovalCause cause, LongAdder counter) {
    if (cause.wasEvicted()) {
      counter.increment();
    }
  }

  void invalidate(KeyRef ref) {
    if (plaintext != null) {
      plaintext.invalidate(ref);
    }
    if (sealed != null) {
      sealed.invalidate(ref);
    }
  }

  void invalidateAll() {
    if (plaintext != null) {
      plaintext.invalidateAll();
      plaintext.cleanUp();
    }
    if (sealed != null) {
      sealed.invalidateAll();
      sealed.cleanUp();
    }
  }

  void cleanUp() {
    if (plaintext != null) {
      plaintext.cleanUp();
    }
    if (sealed != null) {
      sealed.cleanUp();
    }
  }

  CacheStatistics.Layer plaintextStats() {
    return new CacheStatistics.Layer(
        "plaintext " + tier,
        plaintext == null ? 0 : plaintext.estimatedSize(),
        plainHits.sum(),
        plainMisses.sum(),
        plainEvictions.sum());
  }

  CacheStatistics.Layer sealedStats() {
    return new CacheStatistics.Layer(
        "sealed " + tier,
        sealed == null ? 0 : sealed.estimatedSize(),
        sealedHits.sum(),
        sealedMisses.sum(),
        sealedEvictions.sum());
  }
}
