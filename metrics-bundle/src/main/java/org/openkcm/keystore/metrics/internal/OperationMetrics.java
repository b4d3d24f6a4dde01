package org.openkcm.keystore.metrics.internal;

import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.openkcm.keystore.audit.OperationEvent;

/**
 * What every operation moves: its latency per operation, backend and tier; its errors by kind; saga
 * outcomes (rotations and destroys) and reconciler repairs. Label values come from the event's
 * operation names and routing names only, never from key ids, so their number is bounded.
 */
final class OperationMetrics {
  static final String PREFIX = "openkcm_keystore_";
  private static final double[] BUCKETS = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
  };

  private final Histogram latency;
  private final Map<String, DistributionDataPoint> series = new ConcurrentHashMap<>();
  private final Counter errors;
  private final Counter sagas;
  private final Counter repairs;

  OperationMetrics(PrometheusRegistry registry) {
    latency =
        Histogram.builder()
            .name(PREFIX + "operation_duration_seconds")
            .help("Duration of keystore operations, by operation, backend and tier")
            .labelNames("operation", "backend", "tier")
            .classicOnly()
            .classicUpperBounds(BUCKETS)
            .register(registry);
    errors =
        Counter.builder()
            .name(PREFIX + "operation_errors_total")
            .help("Failed keystore operations, by operation and error kind")
            .labelNames("operation", "kind")
            .register(registry);
    sagas =
        Counter.builder()
            .name(PREFIX + "saga_outcomes_total")
            .help("Multi-step operations (rotate, destroy) by saga and outcome")
            .labelNames("saga", "outcome")
            .register(registry);
    repairs =
        Counter.builder()
            .name(PREFIX + "reconciler_repair_passes_total")
            .help("Reconciler passes that repaired or found something, by outcome")
            .labelNames("outcome")
            .register(registry);
  }

  void record(OperationEvent e) {
    String op = e.operation();
    if (op.equals("reconciler.repair")) {
      repairs.labelValues(e.outcome()).inc();
      return;
    }
    String backend = e.backend().orElse("");
    String tier = e.tier().orElse("");
    series
        .computeIfAbsent(
            op + '\0' + backend + '\0' + tier, k -> latency.labelValues(op, backend, tier))
        .observe(e.durationNanos() / 1e9);
    if (!e.succeeded()) {
      errors.labelValues(op, e.outcome()).inc();
    }
    if (op.equals("key.rotate") || op.startsWith("key.destroy")) {
      sagas.labelValues(op.substring(4), e.outcome()).inc();
    }
  }
}
