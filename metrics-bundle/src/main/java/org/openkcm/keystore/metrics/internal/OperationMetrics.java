package org.openkcm.keystore.metrics.internal;

import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.openkcm.keystore.audit.OperationEvent;

/**
 * What the operations move: their latency per operation, backend and tier; errors by kind; saga
 * outcomes (rotations and destroys) and reconciler repairs. Label values come from the event's
 * operation names and routing names only, never from key ids, so their number is bounded.
 *
 * <p>The events of the cache-served calls come as a sample ({@link KeystoreMetrics#SAMPLE_EVERY}):
 * the latency histogram observes the timed ones (weight &gt; 0), the error counter every failure
 * (untimed failures come with weight 0). The exact number of calls is {@code operations_total}
 * ({@link RuntimeGauges}), counted by the core.
 */
final class OperationMetrics {
  static final String PREFIX = "openkcm_keystore_";
  private static final double[] BUCKETS = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
  };

  private final Histogram latency;
  private final Map<Series, DistributionDataPoint> series = new ConcurrentHashMap<>();
  private final Counter errors;
  private final Counter sagas;
  private final Counter repairs;

  OperationMetrics(PrometheusRegistry registry) {
    latency =
        Histogram.builder()
            .name(PREFIX + "operation_duration_seconds")
            .help(
                "Duration of keystore operations, by operation, backend and tier. Sampled for"
                    + " key.open, key.open_active, key.encrypt, key.decrypt, key.metadata: one call"
                    + " in "
                    + KeystoreMetrics.SAMPLE_EVERY
                    + " per thread is timed (count them with openkcm_keystore_operations_total);"
                    + " every call of the other operations")
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
    if (e.sampleWeight() > 0) {
      Series key = new Series(op, e.backend().orElse(""), e.tier().orElse(""));
      DistributionDataPoint point = series.get(key);
      if (point == null) {
        point =
            series.computeIfAbsent(key, k -> latency.labelValues(k.operation, k.backend, k.tier));
      }
      point.observe(e.durationNanos() / 1e9);
    }
    if (!e.succeeded()) {
      errors.labelValues(op, e.outcome()).inc();
    }
    if (op.equals("key.rotate") || op.startsWith("key.destroy")) {
      sagas.labelValues(op.substring(4), e.outcome()).inc();
    }
  }

  /** One latency series' labels. */
  private record Series(String operation, String backend, String tier) {}
}
