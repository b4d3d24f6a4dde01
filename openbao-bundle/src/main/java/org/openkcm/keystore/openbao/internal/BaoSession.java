package org.openkcm.keystore.openbao.internal;

import java.time.Instant;

/** An authenticated session: the token and when it stops working. Immutable; never printed. */
final class BaoSession {
  final String token;
  final boolean renewable;

  /**
   * {@code null} when the token does not expire (e.g. a root or periodic token given in the
   * config).
   */
  final Instant expiresAt;

  final long ttlSeconds;

  BaoSession(String token, boolean renewable, long ttlSeconds) {
    this.token = token;
    this.renewable = renewable;
    this.ttlSeconds = ttlSeconds;
    this.expiresAt = ttlSeconds > 0 ? Instant.now().plusSeconds(ttlSeconds) : null;
  }

  boolean expired() {
    return expiresAt != null && Instant.now().isAfter(expiresAt);
  }

  @Override
  public String toString() {
    return "BaoSession[token=<redacted>" + (expiresAt != null ? " expires " + expiresAt : "") + "]";
  }
}
