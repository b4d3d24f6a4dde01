package org.openkcm.keystore.metrics.internal;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.openkcm.keystore.audit.OperationEvent;

/**
 * gRPC calls as the door reports them ({@code grpc.call} events, the method as subject and the
 * status code as outcome): handled calls per service, method and code, and their latency per
 * service and method. Methods come from the server's own service definitions, so the number of
 * series is bounded.
 */
final class GrpcMetrics {
  static final String OPERATION = "grpc.call";
  private static final double[] BUCKETS = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
  };

  private final Counter handled;
  private final Histogram latency;
  private final Map<String, CounterDataPoint> counts = new ConcurrentHashMap<>();
  private final Map<String, DistributionDataPoint> durations = new ConcurrentHashMap<>();

  GrpcMetrics(PrometheusRegistry registry) {
    handled =
        Counter.builder()
            .name(OperationMetrics.PREFIX + "grpc_server_handled_total")
            .help("gRPC calls completed by the server, by service, method and status code")
            .labelNames("grpc_service", "grpc_method", "grpc_code")
            .register(registry);
    latency =
        Histogram.builder()
            .name(OperationMetrics.PREFIX + "grpc_server_handling_seconds")
            .help("Time from a gRPC call's arrival to its status, by service and method")
            .labelNames("grpc_service", "grpc_method")
            .classicOnly()
            .classicUpperBounds(BUCKETS)
            .register(registry);
  }

  void record(OperationEvent e) {
    String full = e.subject().orElse("unknown/unknown");
    int slash = full.indexOf('/');
    String service = slash < 0 ? full : full.substring(0, slash);
    String method = slash < 0 ? "" : full.substring(slash + 1);
    String code = e.succeeded() ? "OK" : e.outcome();
    counts
        .computeIfAbsent(full + '\0' + code, k -> handled.labelValues(service, method, code))
        .inc();
    durations
        .computeIfAbsent(full, k -> latency.labelValues(service, method))
        .observe(e.durationNanos() / 1e9);
  }
}
