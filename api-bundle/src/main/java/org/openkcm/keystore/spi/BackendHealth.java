package org.openkcm.keystore.spi;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One health observation of a backend. {@code detail} is a short operator-facing reason (e.g.
 * "sealed", "connection refused"); it never holds tokens or key material.
 */
public final class BackendHealth {
  private final BackendState state;
  private final String detail;
  private final Duration latency;
  private final Instant checkedAt;

  public BackendHealth(BackendState state, String detail, Duration latency, Instant checkedAt) {
    this.state = Objects.requireNonNull(state, "state");
    this.detail = detail == null ? "" : detail;
    this.latency = latency == null ? Duration.ZERO : latency;
    this.checkedAt = checkedAt == null ? Instant.now() : checkedAt;
  }

  public static BackendHealth up(Duration latency) {
    return new BackendHealth(BackendState.UP, "", latency, Instant.now());
  }

  public static BackendHealth of(BackendState state, String detail, Duration latency) {
    return new BackendHealth(state, detail, latency, Instant.now());
  }

  public BackendState state() {
    return state;
  }

  public String detail() {
    return detail;
  }

  public Duration latency() {
    return latency;
  }

  public Instant checkedAt() {
    return checkedAt;
  }

  @Override
  public String toString() {
    return state
        + (detail.isEmpty() ? "" : " (" + detail + ")")
        + " in "
        + latency.toMillis()
        + " ms at "
        + checkedAt;
  }
}
