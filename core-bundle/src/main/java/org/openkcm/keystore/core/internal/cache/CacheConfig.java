package org.openkcm.keystore.core.internal.cache;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * PID {@value #PID}: per-tier cache policy. Both layers (sealed records, unwrapped material) follow
 * a tier's entries/TTL/idle; the plaintext layer can be switched off per tier. 0 entries switches a
 * tier's caching off entirely. Durations are written as everywhere in the configuration: {@code
 * 250ms}, {@code 5s}, {@code 30m}, {@code 1h}.
 */
@ObjectClassDefinition(
    pid = CacheConfig.PID,
    name = "OpenKCM Keystore - Key cache",
    description =
        "Bounded caches of sealed records and of unwrapped keys (zeroized on eviction), per tier.")
public @interface CacheConfig {
  String PID = "org.openkcm.keystore.cache";

  @AttributeDefinition(
      name = "L2 max entries",
      min = "0",
      description = "Cached L2 keys at most; 0 switches the tier's cache off")
  int l2_maxEntries() default 1000;

  @AttributeDefinition(
      name = "L2 time to live",
      description = "How long a cached L2 key serves before it is read again (at least 1s)")
  String l2_ttl() default "1h";

  @AttributeDefinition(
      name = "L2 idle expiry",
      description = "An L2 key not used for this long leaves the cache; 0s = no idle expiry")
  String l2_idle() default "15m";

  @AttributeDefinition(
      name = "L2 plaintext layer",
      description = "Keep unwrapped L2 keys in memory")
  boolean l2_plaintext() default true;

  @AttributeDefinition(
      name = "L3 max entries",
      min = "0",
      description = "Cached L3 keys at most; 0 switches the tier's cache off")
  int l3_maxEntries() default 10000;

  @AttributeDefinition(
      name = "L3 time to live",
      description = "How long a cached L3 key serves before it is read again (at least 1s)")
  String l3_ttl() default "30m";

  @AttributeDefinition(
      name = "L3 idle expiry",
      description = "An L3 key not used for this long leaves the cache; 0s = no idle expiry")
  String l3_idle() default "5m";

  @AttributeDefinition(
      name = "L3 plaintext layer",
      description = "Keep unwrapped L3 keys in memory")
  boolean l3_plaintext() default true;

  @AttributeDefinition(
      name = "L4 max entries",
      min = "0",
      description = "Cached L4 keys at most; 0 switches the tier's cache off")
  int l4_maxEntries() default 100000;

  @AttributeDefinition(
      name = "L4 time to live",
      description = "How long a cached L4 key serves before it is read again (at least 1s)")
  String l4_ttl() default "5m";

  @AttributeDefinition(
      name = "L4 idle expiry",
      description = "An L4 key not used for this long leaves the cache; 0s = no idle expiry")
  String l4_idle() default "1m";

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

  @AttributeDefinition(
      name = "Maximum staleness",
      description = "How far past its time to live a record may be served stale (0s or more)")
  String maxStaleness() default "5m";

  @AttributeDefinition(
      name = "Revocation bound",
      description =
          "Cached key state older than this is checked against the backend (one read per key,"
              + " shared by concurrent callers) before it serves an open, encrypt or decrypt: a key"
              + " destroyed, compromised, suspended or rotated by another runtime is refused (or"
              + " its new version used) here within this time (more than 0s)")
  String revalidateAfter() default "5s";
}
