package org.openkcm.keystore.core.internal.cache;

import java.time.Duration;

/**
 * One tier's cache policy; {@code maxEntries == 0} switches both layers off for the tier, a zero
 * idle time switches idle expiry off (TTL still applies), saving the per-read access bookkeeping on
 * hot tiers.
 */
public record TierPolicy(int maxEntries, Duration ttl, Duration idle, boolean plaintext) {
  public TierPolicy {
    if (maxEntries < 0 || ttl.isNegative() || ttl.isZero() || idle.isNegative()) {
      throw new IllegalArgumentException(
          "cache policy needs maxEntries >= 0, a positive ttl and idle >= 0");
    }
  }

  public boolean enabled() {
    return maxEntries > 0;
  }

  public boolean plaintextEnabled() {
    return plaintext && maxEntries > 0;
  }
}
