package org.openkcm.keystore.core.internal.cache;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * PID {@value #PID}: per-tier cache policy. Both layers (sealed records, unwrapped material) follow
 * a tier's entries/TTL/idle; the plaintext layer can be switched off per tier. 0 entries switches a
 * tier's caching off entirely.
 */
@ObjectClassDefinition(
    pid = CacheConfig.PID,
    name = "OpenKCM Keystore - Key cache",
    description =
        "Bounded caches of sealed records and of unwrapped keys (zeroized on eviction), per tier.")
public @interface CacheConfig {
  String PID = "org.openkcm.keystore.cache";

  @AttributeDefinition(name = "L2 max entries", min = "0")
  int l2_maxEntries() default CacheSettings.L2_MAX;

  @AttributeDefinition(name = "L2 time to live (s)", min = "1")
  long l2_ttlSeconds() default CacheSettings.L2_TTL;

  @AttributeDefinition(name = "L2 idle expiry (s)", min = "0", description = "0 = no idle expiry")
  long l2_idleSeconds() default CacheSettings.L2_IDLE;

  @AttributeDefinition(
      name = "L2 plaintext layer",
      description = "Keep unwrapped L2 keys in memory")
  boolean l2_plaintext() default true;

  @AttributeDefinition(name = "L3 max entries", min = "0")
  int l3_maxEntries() default CacheSettings.L3_MAX;

  @AttributeDefinition(name = "L3 time to live (s)", min = "1")
  long l3_ttlSeconds() default CacheSettings.L3_TTL;

  @AttributeDefinition(name = "L3 idle expiry (s)", min = "0", description = "0 = no idle expiry")
  long l3_idleSeconds() default CacheSettings.L3_IDLE;

  @AttributeDefinition(
      name = "L3 plaintext layer",
      description = "Keep unwrapped L3 keys in memory")
  boolean l3_plaintext() default true;

  @AttributeDefinition(name = "L4 max entries", min = "0")
  int l4_maxEntries() default CacheSettings.L4_MAX;

  @AttributeDefinition(name = "L4 time to live (s)", min = "1")
  long l4_ttlSeconds() default CacheSettings.L4_TTL;

  @AttributeDefinition(name = "L4 idle expiry (s)", min = "0", description = "0 = no idle expiry")
  long l4_idleSeconds() default CacheSettings.L4_IDLE;

  @AttributeDefinition(
      name = "L4 plaintext layer",
      description = "Keep unwrapped L4 keys in memory")
  boolean l4_plaintext() default true;

  @AttributeDefinition(
      name = "Serve stale",
      description =
          "While a backend is unavailable or sealed, serve sealed records "
              + "older than their TTL, up to the maximum staleness")
  boolean serveStale() default false;

  @AttributeDefinition(name = "Maximum staleness (s)", min = "0")
  long maxStalenessSeconds() default CacheSettings.MAX_STALENESS;

  @AttributeDefinition(
      name = "Revocation bound (ms)",
      min = "1",
      description =
          "Cached key state older than this is checked against the backend (one read per key,"
              + " shared by concurrent callers) before it serves an open, encrypt or decrypt: a key"
              + " destroyed, compromised, suspended or rotated by another runtime is refused (or"
              + " its new version used) here within this time")
  long revalidateAfterMillis() default CacheSettings.REVALIDATE_MILLIS;
}
