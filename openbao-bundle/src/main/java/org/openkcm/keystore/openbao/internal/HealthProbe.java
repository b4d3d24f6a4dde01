package org.openkcm.keystore.openbao.internal;

import java.time.Duration;
import org.openkcm.keystore.spi.BackendHealth;
import org.openkcm.keystore.spi.BackendState;

/**
 * Health from {@code GET /v1/sys/health} (no token needed): 200 active -> UP (DEGRADED when slower
 * than half the read timeout), 429/472/473 standby -> DEGRADED, 503 sealed -> SEALED, anything else
 * or no answer -> UNAVAILABLE. Bounded by the connect timeout plus at most {@value #MAX_SECONDS} s;
 * never throws.
 */
final class HealthProbe {
  static final int MAX_SECONDS = 2;

  private HealthProbe() {}

  static BackendHealth check(BaoConnection conn) {
    long start = System.nanoTime();
    try {
      Duration max = Duration.ofSeconds(MAX_SECONDS);
      BaoHttp.Answer r =
          conn.anonymous(
              "GET",
              "sys/health",
              null,
              conn.settings.readTimeout.compareTo(max) < 0 ? conn.settings.readTimeout : max,
              "GET sys/health");
      Duration latency = Duration.ofNanos(System.nanoTime() - start);
      switch (r.status) {
        case 200:
          return latency.compareTo(conn.settings.readTimeout.dividedBy(2)) > 0
              ? BackendHealth.of(
                  BackendState.DEGRADED, "slow: " + latency.toMillis() + " ms", latency)
              : BackendHealth.up(latency);
        case 429:
        case 472:
        case 473:
          return BackendHealth.of(
              BackendState.DEGRADED, "standby (HTTP " + r.status + ")", latency);
        case 503:
          return BackendHealth.of(BackendState.SEALED, "sealed", latency);
        case 501:
          return BackendHealth.of(BackendState.UNAVAILABLE, "not initialized", latency);
        default:
          return BackendHealth.of(
              BackendState.UNAVAILABLE, "HTTP " + r.status + " from sys/health", latency);
      }
    } catch (Exception | LinkageError e) {
      return BackendHealth.of(
          BackendState.UNAVAILABLE,
          BaoErrors.transportReason(e),
          Duration.ofNanos(System.nanoTime() - start));
    }
  }
}
