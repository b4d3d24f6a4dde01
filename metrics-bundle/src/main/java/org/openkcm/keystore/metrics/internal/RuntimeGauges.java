package org.openkcm.keystore.metrics.internal;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.function.Supplier;
import org.openkcm.keystore.api.BackendPools;
import org.openkcm.keystore.api.BackendStatus;
import org.openkcm.keystore.api.CacheStatistics;
import org.openkcm.keystore.audit.AuditSink;
import org.openkcm.keystore.audit.OperationCounts;
import org.openkcm.keystore.spi.BackendState;

/**
 * Values read when Prometheus scrapes: backend state and breaker (from the admin view), each
 * backend's call pool (in use, queued, rejected, and its limits), cache hits, misses, evictions and
 * size per layer, the audit sinks' queue depth, and the exact count of every operation through the
 * core's doors by outcome.
 */
final class RuntimeGauges {
  interface Sources {
    List<BackendStatus> backends();

    CacheStatistics caches();

    List<AuditSink> sinks();

    List<BackendPools.Pool> pools();

    List<OperationCounts.Count> operations();
  }

  private RuntimeGauges() {}

  static void register(PrometheusRegistry registry, Sources s) {
    CounterWithCallback.builder()
        .name(OperationMetrics.PREFIX + "operations")
        .help(
            "Every call through the core's doors, by operation and outcome (ok, failed, refused"
                + " before it ran); exact, where the latency histogram samples")
        .labelNames("operation", "outcome")
        .callback(
            cb ->
                each(
                    s::operations,
                    c -> {
                      cb.call(c.succeeded(), c.operation(), "ok");
                      cb.call(c.failed(), c.operation(), "failed");
                      cb.call(c.refused(), c.operation(), "refused");
                    }))
        .register(registry);
    GaugeWithCallback.builder()
        .name(OperationMetrics.PREFIX + "backend_up")
        .help("1 if the backend's last health check found it UP")
        .labelNames("backend")
        .callback(
            cb -> each(s::backends, b -> cb.call(b.state() == BackendState.UP ? 1 : 0, b.name())))
        .register(registry);
    GaugeWithCallback.builder()
        .name(OperationMetrics.PREFIX + "breaker_state")
        .help(
            "The backend's circuit breaker: 0 closed, 1 half-open (one probe), 2 open (calls refused)")
        .labelNames("backend")
        .callback(cb -> each(s::backends, b -> cb.call(breakerState(b), b.name())))
        .register(registry);
    GaugeWithCallback.builder()
        .name(OperationMetrics.PREFIX + "backend_keys")
        .help("Keys held by the backend at its last count")
        .labelNames("backend")
        .callback(cb -> each(s::backends, b -> cb.call(b.keyCount(), b.name())))
        .register(registry);
    poolGauge(
        registry, "pool_calls_in_use", "Calls running on the backend's workers", s, p -> p.inUse());
    poolGauge(
        registry,
        "pool_calls_max",
        "The backend's worker limit (maxConcurrentCalls)",
        s,
        p -> p.maxConcurrent());
    poolGauge(
        registry,
        "pool_calls_queued",
        "Calls waiting for one of the backend's workers",
        s,
        p -> p.queued());
    poolGauge(
        registry,
        "pool_queue_max",
        "The backend's queue limit (maxQueuedCalls)",
        s,
        p -> p.maxQueued());
    CounterWithCallback.builder()
        .name(OperationMetrics.PREFIX + "pool_calls_rejected")
        .help("Calls refused at once because the backend's workers and queue were full")
        .labelNames("backend")
        .callback(cb -> each(s::pools, p -> cb.call(p.rejected(), p.backend())))
        .register(registry);
    cacheCounter(registry, "cache_hits", "Cache hits", s, CacheStatistics.Layer::hits);
    cacheCounter(registry, "cache_misses", "Cache misses", s, CacheStatistics.Layer::misses);
    cacheCounter(
        registry, "cache_evictions", "Cache evictions", s, CacheStatistics.Layer::evictions);
    GaugeWithCallback.builder()
        .name(OperationMetrics.PREFIX + "cache_entries")
        .help("Entries in the cache layer")
        .labelNames("layer")
        .callback(cb -> each(() -> layers(s), l -> cb.call(l.size(), l.name())))
        .register(registry);
    GaugeWithCallback.builder()
        .name(OperationMetrics.PREFIX + "audit_queue_depth")
        .help("Audit entries waiting to be made durable, by sink")
        .labelNames("sink")
        .callback(cb -> each(s::sinks, a -> cb.call(a.pending(), a.name())))
        .register(registry);
  }

  private interface LayerValue {
    long of(CacheStatistics.Layer l);
  }

  private static void cacheCounter(
      PrometheusRegistry registry, String name, String help, Sources s, LayerValue v) {
    CounterWithCallback.builder()
        .name(OperationMetrics.PREFIX + name)
        .help(help + " by layer (tier and sealed/open)")
        .labelNames("layer")
        .callback(cb -> each(() -> layers(s), l -> cb.call(v.of(l), l.name())))
        .register(registry);
  }

  private interface PoolValue {
    long of(BackendPools.Pool p);
  }

  private static void poolGauge(
      PrometheusRegistry registry, String name, String help, Sources s, PoolValue v) {
    GaugeWithCallback.builder()
        .name(OperationMetrics.PREFIX + name)
        .help(help + "; inline backends (called on the caller's thread) have no pool and report 0")
        .labelNames("backend")
        .callback(cb -> each(s::pools, p -> cb.call(p.inline() ? 0 : v.of(p), p.backend())))
        .register(registry);
  }

  private static List<CacheStatistics.Layer> layers(Sources s) {
    CacheStatistics c = s.caches();
    return c == null ? List.of() : c.layers();
  }

  /** Read from the admin view's detail, which names the breaker's state ({@code breaker OPEN}). */
  static int breakerState(BackendStatus b) {
    String d = b.detail() == null ? "" : b.detail();
    if (d.contains("breaker OPEN")) {
      return 2;
    }
    return d.contains("breaker HALF_OPEN") ? 1 : 0;
  }

  private static <T> void each(Supplier<List<T>> items, java.util.function.Consumer<T> f) {
    List<T> list;
    try {
      list = items.get();
    } catch (RuntimeException e) {
      return; // a source that is not there yet reports nothing rather than failing the scrape
    }
    list.forEach(f);
  }
}
