package org.openkcm.keystore.core.internal.backend;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.openkcm.keystore.spi.BackendHealth;
import org.openkcm.keystore.spi.BackendState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the health of every configured backend: periodically (the healthy interval while UP, the
 * shorter unhealthy interval otherwise) and on demand, each check under the health timeout. A state
 * change is logged once, when it happens, not on every check. Unconfigured services are never
 * called.
 */
final class HealthMonitor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);
  private static final long MAX_TICK_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final Supplier<List<String>> configured;
  private final Function<String, GuardedKeystore> guards;
  private final BackendServices services;
  private final Supplier<PluginSettings> settings;
  private final Map<String, HealthRecord> records = new ConcurrentHashMap<>();
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "keystore-health");
            t.setDaemon(true);
            return t;
          });

  HealthMonitor(
      Supplier<List<String>> configured,
      Function<String, GuardedKeystore> guards,
      BackendServices services,
      Supplier<PluginSettings> settings) {
    this.configured = configured;
    this.guards = guards;
    this.services = services;
    this.settings = settings;
  }

  void start() {
    scheduler.execute(this::tick);
  }

  HealthRecord record(String name) {
    return records.computeIfAbsent(name, n -> new HealthRecord());
  }

  /** Checks one backend now (health call under the health timeout) and records the outcome. */
  HealthRecord check(String name) {
    HealthRecord record = record(name);
    Instant at = Instant.now();
    BackendState state;
    String detail;
    Duration latency;
    if (services.best(name) == null) {
      state = BackendState.UNAVAILABLE;
      detail = "no Keystore service named '" + name + "' is registered";
      latency = Duration.ZERO;
    } else {
      GuardedKeystore guard = guards.apply(name);
      BackendHealth h = guard.health();
      if (h.state() == BackendState.UP) {
        guard.info(); // learn (and cache) what the current service offers while it answers
      }
      latency = h.latency();
      state = h.state();
      detail = h.detail();
      Duration slow = settings.get().degradedLatency();
      if (state == BackendState.UP && latency.compareTo(slow) > 0) {
        state = BackendState.DEGRADED;
        detail =
            "health answered in " + latency.toMillis() + " ms, over " + slow.toMillis() + " ms";
      }
    }
    BackendState previous = record.observe(state, detail, latency, at);
    record.scheduleNext(System.nanoTime(), settings.get());
    logStateChange(name, previous, state, detail);
    return record;
  }

  /** How the guard describes a configured backend without a service (see GuardedKeystore). */
  static final String NOT_REGISTERED = "no Keystore service named";

  private static void logStateChange(
      String name, BackendState previous, BackendState state, String detail) {
    if (previous == state) {
      return;
    }
    if (state == BackendState.UP) {
      LOG.info("Backend '{}' is UP{}", name, previous == null ? "" : " (was " + previous + ")");
    } else if (previous == null && detail != null && detail.startsWith(NOT_REGISTERED)) {
      // at start the core usually comes up before the backend's bundle: not a problem yet
      LOG.info("Backend '{}' is not registered yet: {}", name, detail);
    } else {
      LOG.warn(
          "Backend '{}' is {} (was {}): {}",
          name,
          state,
          previous == null ? "not checked" : previous,
          detail);
    }
  }

  private void tick() {
    long next = MAX_TICK_NANOS;
    try {
      for (String name : configured.get()) {
        HealthRecord r = record(name);
        if (r.due(System.nanoTime())) {
          check(name);
        }
        next = Math.min(next, Math.max(0, r.nextDueNanos() - System.nanoTime()));
      }
    } catch (RuntimeException e) {
      LOG.warn("Health check round failed: {}", e.toString());
    } finally {
      try {
        scheduler.schedule(
            this::tick, Math.max(TimeUnit.MILLISECONDS.toNanos(50), next), TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // closed: the component is going away
      }
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
