package org.openkcm.keystore.core.internal.cache;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.openkcm.keystore.model.KeyTier;

/**
 * All cache policies: one per tier, plus serve-stale. Defaults follow the hierarchy's rotation
 * periods.
 */
public record CacheSettings(
    Map<KeyTier, TierPolicy> tiers,
    boolean serveStale,
    Duration maxStaleness,
    Duration revalidateAfter) {
  static final int L2_MAX = 1_000;
  static final long L2_TTL = 3_600;
  static final long L2_IDLE = 900;
  static final int L3_MAX = 10_000;
  static final long L3_TTL = 1_800;
  static final long L3_IDLE = 300;
  static final int L4_MAX = 100_000;
  static final long L4_TTL = 300;
  static final long L4_IDLE = 60;
  static final long MAX_STALENESS = 300;

  /**
   * The revocation bound: cached lifecycle state older than this is checked against the backend
   * before it serves an open, encrypt or decrypt, so a change made by another runtime is seen
   * within it.
   */
  static final long REVALIDATE_MILLIS = 5_000;

  public CacheSettings {
    tiers = Map.copyOf(new EnumMap<>(tiers));
    if (tiers.size() != KeyTier.values().length
        || maxStaleness.isNegative()
        || revalidateAfter.isNegative()
        || revalidateAfter.isZero()) {
      throw new IllegalArgumentException(
          "cache settings need a policy for every tier, a non-negative staleness and a positive"
              + " revalidation bound");
    }
  }

  /** With the default revocation bound. */
  public CacheSettings(Map<KeyTier, TierPolicy> tiers, boolean serveStale, Duration maxStaleness) {
    this(tiers, serveStale, maxStaleness, Duration.ofMillis(REVALIDATE_MILLIS));
  }

  public TierPolicy policy(KeyTier tier) {
    return tiers.get(tier);
  }

  public static CacheSettings defaults() {
    return new CacheSettings(
        Map.of(
            KeyTier.L2, policy(L2_MAX, L2_TTL, L2_IDLE, true),
            KeyTier.L3, policy(L3_MAX, L3_TTL, L3_IDLE, true),
            KeyTier.L4, policy(L4_MAX, L4_TTL, L4_IDLE, true)),
        false,
        Duration.ofSeconds(MAX_STALENESS));
  }

  public static CacheSettings from(CacheConfig c) {
    return new CacheSettings(
        Map.of(
            KeyTier.L2,
                policy(c.l2_maxEntries(), c.l2_ttlSeconds(), c.l2_idleSeconds(), c.l2_plaintext()),
            KeyTier.L3,
                policy(c.l3_maxEntries(), c.l3_ttlSeconds(), c.l3_idleSeconds(), c.l3_plaintext()),
            KeyTier.L4,
                policy(c.l4_maxEntries(), c.l4_ttlSeconds(), c.l4_idleSeconds(), c.l4_plaintext())),
        c.serveStale(),
        Duration.ofSeconds(c.maxStalenessSeconds()),
        Duration.ofMillis(c.revalidateAfterMillis()));
  }

  /**
   * @return a copy with one tier's policy replaced (tests, benchmarks)
   */
  public CacheSettings with(KeyTier tier, TierPolicy p) {
    Map<KeyTier, TierPolicy> m = new EnumMap<>(tiers);
    m.put(tier, p);
    return new CacheSettings(m, serveStale, maxStaleness, revalidateAfter);
  }

  /**
   * @return a copy with serve-stale switched on or off
   */
  public CacheSettings withServeStale(boolean on, Duration max) {
    return new CacheSettings(tiers, on, max, revalidateAfter);
  }

  /**
   * @return a copy with another revocation bound
   */
  public CacheSettings withRevalidateAfter(Duration bound) {
    return new CacheSettings(tiers, serveStale, maxStaleness, bound);
  }

  public static TierPolicy policy(int max, long ttlSeconds, long idleSeconds, boolean plaintext) {
    return new TierPolicy(
        max, Duration.ofSeconds(ttlSeconds), Duration.ofSeconds(idleSeconds), plaintext);
  }
}
