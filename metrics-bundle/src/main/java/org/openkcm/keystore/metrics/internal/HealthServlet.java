package org.openkcm.keystore.metrics.internal;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.felix.hc.api.Result;
import org.apache.felix.hc.api.ResultLog;
import org.apache.felix.hc.api.execution.HealthCheckExecutionResult;
import org.apache.felix.hc.api.execution.HealthCheckExecutor;
import org.apache.felix.hc.api.execution.HealthCheckSelector;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Kubernetes probes on the runtime's HTTP port, answered by the Felix Health Checks ({@link
 * HealthChecks}): {@code /health/live} runs the {@value HealthChecks#LIVE} checks and {@code
 * /health/ready} the {@value HealthChecks#READY} ones (every configured backend UP, the root key
 * provider the core uses UP, an audit sink that can write). 200 when all pass, else 503, with the
 * checks as JSON (names and states only, so it needs no login).
 */
@Component(
    service = Servlet.class,
    property = {
      "osgi.http.whiteboard.servlet.pattern=/health/*",
      "osgi.http.whiteboard.servlet.name=openkcm-keystore-health"
    })
public final class HealthServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  private final transient HealthCheckExecutor executor;

  @Activate
  public HealthServlet(@Reference HealthCheckExecutor executor) {
    this.executor = executor;
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String path = req.getPathInfo() == null ? "" : req.getPathInfo();
    resp.setHeader("Cache-Control", "no-store");
    resp.setContentType("application/json; charset=utf-8");
    switch (path) {
      case "/live" -> answer(resp, HealthChecks.LIVE);
      case "/ready" -> answer(resp, HealthChecks.READY);
      default -> resp.sendError(HttpServletResponse.SC_NOT_FOUND);
    }
  }

  private void answer(HttpServletResponse resp, String tag) throws IOException {
    List<ReadinessChecks.Check> checks = new ArrayList<>();
    for (HealthCheckExecutionResult r : executor.execute(HealthCheckSelector.tags(tag))) {
      Result result = r.getHealthCheckResult();
      checks.add(
          new ReadinessChecks.Check(
              r.getHealthCheckMetadata().getName(), result.isOk(), state(result)));
    }
    boolean ok = !checks.isEmpty() && checks.stream().allMatch(ReadinessChecks.Check::ok);
    resp.setStatus(ok ? 200 : 503);
    resp.getOutputStream().write(ReadinessChecks.json(checks).getBytes(StandardCharsets.UTF_8));
  }

  private static String state(Result result) {
    Iterator<ResultLog.Entry> log = result.iterator();
    return log.hasNext() ? log.next().getMessage() : result.getStatus().name();
  }
}
