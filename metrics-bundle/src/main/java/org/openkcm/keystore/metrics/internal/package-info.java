/**
 * Prometheus metrics of the runtime: an operation observer feeding latency histograms and error
 * counters, gauges read from the admin view, the caches and the audit sinks at scrape time, and the
 * {@code /metrics} servlet. The Prometheus Java client is embedded privately. Private.
 */
package org.openkcm.keystore.metrics.internal;
