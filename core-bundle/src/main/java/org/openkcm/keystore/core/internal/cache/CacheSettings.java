package org.openkcm.keystore.core.internal.cache;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.openkcm.keystore.core.internal.config.ComponentConfigs;
import org.openkcm.keystore.core.internal.config.Durations;
import org.openkcm.keystore.model.InvalidConfigurationException;
import org.openkcm.keystore.model.KeyTier;

/**
 * All cache policies: one per tier, plus serve-stale. Defaults ({@link CacheConfig}'s) follow the
 * hierarchy's rotation periods.
 */
public record CacheSettings(
    Map<KeyTier, TierPolicy> tiers,
    boolean serveStale,
    Duration maxStaleness,
    Duration revalidateAfter) {
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
    this(tiers, serveStale, maxStaleness, defaults().revalidateAfter());
  }

  public TierPolicy policy(KeyTier tier) {
    return tiers.get(tier);
  }

  /**
   * @return the policies of {@link CacheConfig}'s declared defaults (the metatype is their only
   *     source)
   */
  public static CacheSettings defaults() {
    return DEFAULTS;
  }

  private static final CacheSettings DEFAULTS = defaultsOf();

  private static CacheSettings defaultsOf() {
    try {
      return from(ComponentConfigs.of(CacheConfig.class, Map.of()));
    } catch (InvalidConfigurationException e) {
      throw new IllegalStateException("CacheConfig's own defaults are invalid: " + e.getMessage());
    }
  }

  /**
   * @throws InvalidConfigurationException naming the first refused field, e.g. {@code cache.l2.ttl}
   */
  public static CacheSettings from(CacheConfig c) throws InvalidConfigurationException {
    return new CacheSettings(
        Map.of(
            KeyTier.L2,
            tier("l2", c.l2_maxEntries(), c.l2_ttl(), c.l2_idle(), c.l2_plaintext()),
            KeyTier.L3,
            tier("l3", c.l3_maxEntries(), c.l3_ttl(), c.l3_idle(), c.l3_plaintext()),
            KeyTier.L4,
            tier("l4", c.l4_maxEntries(), c.l4_ttl(), c.l4_idle(), c.l4_plaintext())),
        c.serveStale(),
        Durations.parse("cache.maxStaleness", c.maxStaleness()),
        Durations.positive("cache.revalidateAfter", c.revalidateAfter()));
  }

  private static TierPolicy tier(String t, int max, String ttl, String idle, boolean plaintext)
      throws InvalidConfigurationException {
    String at = "cache." + t + ".";
    if (max < 0) {
      throw new InvalidConfigurationException(
          at + "maxEntries", max + " is negative (0 switches the tier's cache off)");
    }
    return new TierPolicy(
        max,
        Durations.within(at + "ttl", ttl, Duration.ofSeconds(1), Duration.ofDays(365)),
        Durations.parse(at + "idle", idle),
        plaintext);
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
