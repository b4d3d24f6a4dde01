package org.openkcm.keystore.metrics.internal;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.openkcm.keystore.api.BackendPools;
import org.openkcm.keystore.api.BackendStatus;
import org.openkcm.keystore.api.CacheStatistics;
import org.openkcm.keystore.api.KeyService;
import org.openkcm.keystore.api.KeystoreAdmin;
import org.openkcm.keystore.audit.AuditSink;
import org.openkcm.keystore.audit.OperationCounts;
import org.openkcm.keystore.audit.OperationEvent;
import org.openkcm.keystore.audit.OperationObserver;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The runtime's metrics: an observer of the operations (it never refuses nor fails one; it takes
 * the cache-served calls as a sample, {@link #SAMPLE_EVERY}) and the registry the {@code /metrics}
 * servlet writes out. Exact call counts come from the core's {@link OperationCounts}.
 */
@Component(service = {OperationObserver.class, KeystoreMetrics.class})
public final class KeystoreMetrics implements OperationObserver, RuntimeGauges.Sources {
  /**
   * One call in this many of the cache-served operations is timed for the latency histogram (per
   * thread); every failure is still counted. Timing a cached open (two clock reads, an event, a
   * histogram update) costs about three times the open itself.
   */
  static final int SAMPLE_EVERY = 1024;

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final OperationMetrics operations = new OperationMetrics(registry);
  private final GrpcMetrics grpc = new GrpcMetrics(registry);
  private final List<AuditSink> sinks = new CopyOnWriteArrayList<>();

  @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
  private volatile KeystoreAdmin admin;

  @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
  private volatile KeyService keys;

  @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
  private volatile BackendPools pools;

  @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
  private volatile OperationCounts counts;

  public KeystoreMetrics() {
    RuntimeGauges.register(registry, this);
  }

  /** Outside OSGi (tests, benchmarks): with the core's counts. */
  KeystoreMetrics(OperationCounts counts) {
    this();
    this.counts = counts;
  }

  @Reference(
      cardinality = ReferenceCardinality.MULTIPLE,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  void addSink(AuditSink sink) {
    sinks.add(sink);
  }

  void removeSink(AuditSink sink) {
    sinks.remove(sink);
  }

  @Override
  public int sampleEvery() {
    return SAMPLE_EVERY;
  }

  @Override
  public void completed(OperationEvent event) {
    if (GrpcMetrics.OPERATION.equals(event.operation())) {
      grpc.record(event);
    } else {
      operations.record(event);
    }
  }

  PrometheusRegistry registry() {
    return registry;
  }

  @Override
  public List<BackendStatus> backends() {
    KeystoreAdmin a = admin;
    return a == null ? List.of() : a.backends();
  }

  boolean adminPresent() {
    return admin != null;
  }

  @Override
  public CacheStatistics caches() {
    KeyService k = keys;
    return k == null ? null : k.cacheStatistics();
  }

  @Override
  public List<BackendPools.Pool> pools() {
    BackendPools p = pools;
    return p == null ? List.of() : p.pools();
  }

  @Override
  public List<OperationCounts.Count> operations() {
    OperationCounts c = counts;
    return c == null ? List.of() : c.counts();
  }

  @Override
  public List<AuditSink> sinks() {
    return sinks;
  }
}
