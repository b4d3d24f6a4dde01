package org.openkcm.keystore.openbao.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.openkcm.keystore.spi.BackendHealth;
import org.openkcm.keystore.spi.BackendState;

/**
 * Health from {@code GET /v1/sys/health} (no token needed): 200 active -> UP (DEGRADED when slower
 * than half the read timeout), 429/472/473 standby -> DEGRADED, 503 sealed -> SEALED, anything else
 * or no answer -> UNAVAILABLE. With several nodes every node is asked at once: the cluster is UP
 * when one node is active, requests are sent to that node from then on, and the detail names the
 * node serving and what each other node said. Bounded by the connect timeout plus at most {@value
 * #MAX_SECONDS} s; never throws.
 */
final class HealthProbe {
  static final int MAX_SECONDS = 2;

  private HealthProbe() {}

  static BackendHealth check(BaoConnection conn) {
    return conn.http().nodes().size() > 1 ? cluster(conn) : single(conn);
  }

  private static Duration bound(BaoConnection conn) {
    Duration max = Duration.ofSeconds(MAX_SECONDS);
    return conn.settings.readTimeout.compareTo(max) < 0 ? conn.settings.readTimeout : max;
  }

  private static BackendHealth single(BaoConnection conn) {
    long start = System.nanoTime();
    try {
      BaoHttp.Answer r = conn.anonymous("GET", "sys/health", null, bound(conn), "GET sys/health");
      return health(conn, r.status, Duration.ofNanos(System.nanoTime() - start), "");
    } catch (Exception | LinkageError e) {
      return BackendHealth.of(
          BackendState.UNAVAILABLE,
          BaoErrors.transportReason(e),
          Duration.ofNanos(System.nanoTime() - start));
    }
  }

  private static BackendHealth cluster(BaoConnection conn) {
    BaoNodes nodes = conn.http().nodes();
    long start = System.nanoTime();
    List<CompletableFuture<BaoHttp.Answer>> asked = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      asked.add(conn.http().sendTo(i, "GET", "sys/health", bound(conn)));
    }
    int[] status = new int[nodes.size()];
    int active = -1;
    StringBuilder others = new StringBuilder();
    for (int i = 0; i < nodes.size(); i++) {
      String said;
      try {
        status[i] = BaoHttp.await(asked.get(i), bound(conn)).status;
        said = name(status[i]);
      } catch (Exception e) {
        status[i] = -1;
        said = BaoErrors.transportReason(e);
      }
      if (status[i] == 200 && (active < 0 || i == nodes.preferred())) {
        active = i;
      }
      others.append(i == 0 ? "" : ", ").append(nodes.node(i)).append(' ').append(said);
    }
    Duration latency = Duration.ofNanos(System.nanoTime() - start);
    if (active >= 0) {
      nodes.prefer(active);
      return health(
          conn, 200, latency, "serving node " + nodes.node(active) + " (nodes: " + others + ")");
    }
    int best = -1;
    for (int s : status) {
      best = rank(s) > rank(best) ? s : best;
    }
    return health(conn, best, latency, "no active node (nodes: " + others + ")");
  }

  /** Orders node answers by how close the cluster is to serving: standby, sealed, anything. */
  private static int rank(int status) {
    return switch (status) {
      case 429, 472, 473 -> 3;
      case 503 -> 2;
      case -1 -> 0;
      default -> 1;
    };
  }

  private static String name(int status) {
    return switch (status) {
      case 200 -> "active";
      case 429, 472, 473 -> "standby";
      case 503 -> "sealed";
      case 501 -> "not initialized";
      default -> "HTTP " + status;
    };
  }

  private static BackendHealth health(
      BaoConnection conn, int status, Duration latency, String where) {
    String suffix = where.isEmpty() ? "" : "; " + where;
    switch (status) {
      case 200:
        if (latency.compareTo(conn.settings.readTimeout.dividedBy(2)) > 0) {
          return BackendHealth.of(
              BackendState.DEGRADED, "slow: " + latency.toMillis() + " ms" + suffix, latency);
        }
        return where.isEmpty()
            ? BackendHealth.up(latency)
            : BackendHealth.of(BackendState.UP, where, latency);
      case 429:
      case 472:
      case 473:
        return BackendHealth.of(
            BackendState.DEGRADED, "standby (HTTP " + status + ")" + suffix, latency);
      case 503:
        return BackendHealth.of(BackendState.SEALED, "sealed" + suffix, latency);
      case 501:
        return BackendHealth.of(BackendState.UNAVAILABLE, "not initialized" + suffix, latency);
      case -1:
        return BackendHealth.of(BackendState.UNAVAILABLE, "no node answers" + suffix, latency);
      default:
        return BackendHealth.of(
            BackendState.UNAVAILABLE, "HTTP " + status + " from sys/health" + suffix, latency);
    }
  }
}
