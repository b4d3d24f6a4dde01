package org.openkcm.keystore.metrics.internal;

import java.util.ArrayList;
import java.util.List;
import org.openkcm.keystore.api.BackendStatus;
import org.openkcm.keystore.audit.AuditSink;
import org.openkcm.keystore.spi.BackendHealth;
import org.openkcm.keystore.spi.BackendState;

/**
 * The checks readiness is made of: one per configured backend (from the admin view's last health
 * check), the root key provider the core uses, and the audit sinks (at least one must write).
 * Results carry names and states only.
 */
final class ReadinessChecks {
  record Check(String name, boolean ok, String state) {}

  private ReadinessChecks() {}

  static List<Check> run(
      List<BackendStatus> backends, BackendHealth rootKey, String rootName, List<AuditSink> sinks) {
    List<Check> out = new ArrayList<>();
    for (BackendStatus b : backends) {
      if (b.configured()) {
        out.add(new Check("backend:" + b.name(), b.state() == BackendState.UP, b.state().name()));
      }
    }
    out.add(
        rootKey == null
            ? new Check("rootkey:" + rootName, false, "ABSENT")
            : new Check(
                "rootkey:" + rootName, rootKey.state() == BackendState.UP, rootKey.state().name()));
    boolean anyWrites = sinks.stream().anyMatch(AuditSink::writable);
    out.add(
        new Check(
            "audit",
            anyWrites,
            sinks.isEmpty() ? "NO_SINK" : anyWrites ? "WRITABLE" : "NOT_WRITABLE"));
    return out;
  }

  static String json(List<Check> checks) {
    StringBuilder b = new StringBuilder("{\"status\":\"");
    b.append(checks.stream().allMatch(Check::ok) ? "UP" : "DOWN").append("\",\"checks\":[");
    for (int i = 0; i < checks.size(); i++) {
      Check c = checks.get(i);
      b.append(i == 0 ? "" : ",")
          .append("{\"name\":\"")
          .append(c.name().replace("\"", ""))
          .append("\",\"ok\":")
          .append(c.ok())
          .append(",\"state\":\"")
          .append(c.state())
          .append("\"}");
    }
    return b.append("]}").toString();
  }
}
