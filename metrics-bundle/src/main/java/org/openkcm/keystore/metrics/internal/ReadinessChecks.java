package org.openkcm.keystore.metrics.internal;

import java.util.List;
import org.openkcm.keystore.api.BackendStatus;
import org.openkcm.keystore.audit.AuditSink;
import org.openkcm.keystore.spi.BackendHealth;
import org.openkcm.keystore.spi.BackendState;

/**
 * What each readiness check finds: a configured backend (from the admin view's last health check),
 * the root key provider the core uses, and the audit sinks (at least one must write). Results carry
 * names and states only.
 */
final class ReadinessChecks {
  record Check(String name, boolean ok, String state) {}

  private ReadinessChecks() {}

  static Check backend(BackendStatus b) {
    return b == null
        ? new Check("backend", false, "ABSENT")
        : new Check("backend:" + b.name(), b.state() == BackendState.UP, b.state().name());
  }

  static Check rootKey(BackendHealth rootKey, String rootName) {
    return rootKey == null
        ? new Check("rootkey:" + rootName, false, "ABSENT")
        : new Check(
            "rootkey:" + rootName, rootKey.state() == BackendState.UP, rootKey.state().name());
  }

  static Check audit(List<AuditSink> sinks) {
    boolean anyWrites = sinks.stream().anyMatch(AuditSink::writable);
    return new Check(
        "audit", anyWrites, sinks.isEmpty() ? "NO_SINK" : anyWrites ? "WRITABLE" : "NOT_WRITABLE");
  }

  static String json(List<Check> checks) {
    StringBuilder b = new StringBuilder("{\"status\":\"");
    b.append(!checks.isEmpty() && checks.stream().allMatch(Check::ok) ? "UP" : "DOWN")
        .append("\",\"checks\":[");
    for (int i = 0; i < checks.size(); i++) {
      Check c = checks.get(i);
      b.append(i == 0 ? "" : ",")
          .append("{\"name\":\"")
          .append(c.name().replace("\"", "").replace("\\", ""))
          .append("\",\"ok\":")
          .append(c.ok())
          .append(",\"state\":\"")
          .append(c.state().replace("\"", "").replace("\\", ""))
          .append("\"}");
    }
    return b.append("]}").toString();
  }
}
