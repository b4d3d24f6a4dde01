package org.openkcm.keystore.core.internal.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Policy;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Scheduler;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import org.openkcm.keystore.api.CacheStatistics;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.spi.KeyRecord;

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

  /**
   * The plaintext layer's {@code getIfPresentQuietly}: a hash lookup and the expiry check, without
   * the read bookkeeping (see {@link KeyCache}, which records a hit with Caffeine once per clock
   * step and entry).
   */
  final Policy<KeyRef, PlainEntry> plaintextPolicy;

  /**
   * Plaintext entry: the material (this object is its {@link SecretBytes}: one object less to reach
   * on a hit), metadata for status checks, when its state was last read from the backend, the clock
   * reading at which a hit on it was last recorded with Caffeine, and the record it was unwrapped
   * from (null if unknown), which lets a re-read past the revocation bound that finds the record
   * unchanged confirm the entry instead of unwrapping it again.
   */
  static final class PlainEntry extends SecretBytes {
    private final KeyMetadata metadata;
    private final KeyRecord source;
    private volatile long loadedAtNanos;
    private volatile long recordedAt;

    PlainEntry(KeyMetadata metadata, byte[] owned, KeyRecord source, long loadedAtNanos) {
      super(owned);
      this.metadata = metadata;
      this.source = source;
      this.loadedAtNanos = loadedAtNanos;
      this.recordedAt = loadedAtNanos;
    }

    KeyMetadata metadata() {
      return metadata;
    }

    long loadedAtNanos() {
      return loadedAtNanos;
    }

    /**
     * @return whether {@code fresh}, just read from the backend, is exactly the record this
     *     material was unwrapped from (metadata, sealed bytes and revision)
     */
    boolean unwrappedFrom(KeyRecord fresh) {
      return source != null && (source == fresh || source.equals(fresh));
    }

    /** The state was read again (and found unchanged) at {@code now}. */
    void confirmedAt(long now) {
      if (now > loadedAtNanos) {
        loadedAtNanos = now;
      }
    }

    /**
     * @return whether no hit was recorded at clock reading {@code now} yet (and marks it recorded)
     */
    boolean firstHitAt(long now) {
      if (recordedAt == now) {
        return false;
      }
      recordedAt = now;
      return true;
    }

    @Override
    public String toString() {
      return "PlainEntry[" + metadata.ref() + "]";
    }
  }

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
                        v.destroy();
                      }
                      countEviction(cause, plainEvictions);
                    })
                .build()
            : null;
    this.plaintextPolicy = plaintext == null ? null : plaintext.policy();
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
