package org.openkcm.keystore.metrics.internal;

import org.openkcm.keystore.audit.OperationObserver;

/** The runtime's metrics observer, for the benchmark outside OSGi. */
public final class MetricsBench {
  private MetricsBench() {}

  public static OperationObserver observer() {
    return new KeystoreMetrics();
  }
}
