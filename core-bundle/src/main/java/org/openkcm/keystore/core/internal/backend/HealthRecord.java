package org.openkcm.keystore.core.internal.backend;

import java.time.Duration;
import java.time.Instant;
import org.openkcm.keystore.api.BackendStatus;
import org.openkcm.keystore.spi.BackendState;

/**
 * What the plugin manager knows about one backend's health: the last observation (state, detail,
 * latency, time), the last failed call, and the last key count. {@code state} is {@code null} until
 * the first check.
 */
final class HealthRecord {
  private BackendState state;
  private String detail = "not checked yet";
  private Duration latency = Duration.ZERO;
  private Instant checkedAt;
  private String lastError;
  private Instant lastErrorAt;
  private long keyCount = -1;
  private Instant countedAt;
  private long nextDueNanos = System.nanoTime();

  /**
   * @return the previous state ({@code null} before the first check)
   */
  synchronized BackendState observe(
      BackendState next, String nextDetail, Duration nextLatency, Instant at) {
    BackendState previous = state;
    state = next;
    detail = nextDetail;
    latency = nextLatency;
    checkedAt = at;
    if (next != BackendState.UP && !nextDetail.isEmpty()) {
      lastError = nextDetail;
      lastErrorAt = at;
    } else if (next == BackendState.UP && lastErrorAt != null && !at.isBefore(lastErrorAt)) {
      lastError = null; // recovered: an error from before this healthy check is history
      lastErrorAt = null;
    }
    return previous;
  }

  synchronized void failedCall(String message) {
    lastError = message;
    lastErrorAt = Instant.now();
  }

  synchronized void keyCount(long count) {
    keyCount = count;
    countedAt = count < 0 ? null : Instant.now();
  }

  synchronized BackendState state() {
    return state;
  }

  synchronized boolean due(long now) {
    return now - nextDueNanos >= 0;
  }

  synchronized void scheduleNext(long now, PluginSettings s) {
    Duration wait = state == BackendState.UP ? s.healthInterval() : s.unhealthyInterval();
    nextDueNanos = now + wait.toNanos();
  }

  synchronized long nextDueNanos() {
    return nextDueNanos;
  }

  synchronized BackendStatus toStatus(
      String name, boolean configured, boolean present, boolean persistent) {
    String shown = detail;
    if (lastError != null && !lastError.equals(detail)) {
      shown =
          (shown.isEmpty() ? "" : shown + "; ") + "last error at " + lastErrorAt + ": " + lastError;
    }
    if (keyCount >= 0 && countedAt != null && checkedAt != null && countedAt.isBefore(checkedAt)) {
      shown = (shown.isEmpty() ? "" : shown + "; ") + "keys counted at " + countedAt;
    }
    BackendState s = state != null ? state : present ? BackendState.UP : BackendState.UNAVAILABLE;
    if (!present && s != BackendState.UNAVAILABLE) {
      // the service left since the last check: never show a backend that is gone as serving
      s = BackendState.UNAVAILABLE;
      shown = "no service registered now" + (shown.isEmpty() ? "" : "; " + shown);
    }
    return new BackendStatus(
        name, configured, present, persistent, s, shown, latency, checkedAt, keyCount);
  }
}
