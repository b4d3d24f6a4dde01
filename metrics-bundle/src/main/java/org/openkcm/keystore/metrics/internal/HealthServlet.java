package org.openkcm.keystore.metrics.internal;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.openkcm.keystore.spi.BackendHealth;
import org.openkcm.keystore.spi.RootKeyProvider;
import org.osgi.service.component.ComponentServiceObjects;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Kubernetes probes on the runtime's HTTP port: {@code /health/live} answers 200 while the runtime
 * serves HTTP; {@code /health/ready} answers 200 only when every configured backend is UP, the root
 * key provider the core uses is UP and an audit sink can write, else 503 — with the checks as JSON
 * (names and states only, so it needs no login).
 */
@Component(
    service = Servlet.class,
    configurationPid = HealthServlet.ROOT_KEY_PID,
    configurationPolicy = ConfigurationPolicy.OPTIONAL,
    property = {
      "osgi.http.whiteboard.servlet.pattern=/health/*",
      "osgi.http.whiteboard.servlet.name=openkcm-keystore-health"
    })
public final class HealthServlet extends HttpServlet {
  static final String ROOT_KEY_PID = "org.openkcm.keystore.rootkey";
  private static final long serialVersionUID = 1L;

  /** The core's root key choice, merged in from its PID. */
  @interface RootKeyChoice {
    String provider() default "local";
  }

  private final transient KeystoreMetrics sources;
  private final String provider;
  private final transient Map<String, ComponentServiceObjects<RootKeyProvider>> roots =
      new ConcurrentHashMap<>();

  @Activate
  public HealthServlet(@Reference KeystoreMetrics sources, RootKeyChoice choice) {
    this.sources = sources;
    this.provider = choice.provider();
  }

  @Reference(
      name = "rootKeyProviders",
      service = RootKeyProvider.class,
      cardinality = ReferenceCardinality.MULTIPLE,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  void bindRoot(ComponentServiceObjects<RootKeyProvider> root, Map<String, Object> props) {
    Object name = props.get(RootKeyProvider.PROVIDER_PROPERTY);
    if (name != null) {
      roots.put(name.toString(), root);
    }
  }

  void unbindRoot(ComponentServiceObjects<RootKeyProvider> root, Map<String, Object> props) {
    roots.values().remove(root);
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String path = req.getPathInfo() == null ? "" : req.getPathInfo();
    resp.setHeader("Cache-Control", "no-store");
    resp.setContentType("application/json; charset=utf-8");
    switch (path) {
      case "/live" -> write(resp, 200, "{\"status\":\"UP\"}");
      case "/ready" -> {
        List<ReadinessChecks.Check> checks =
            ReadinessChecks.run(sources.backends(), rootHealth(), provider, sources.sinks());
        boolean ok = checks.stream().allMatch(ReadinessChecks.Check::ok);
        write(resp, ok ? 200 : 503, ReadinessChecks.json(checks));
      }
      default -> resp.sendError(HttpServletResponse.SC_NOT_FOUND);
    }
  }

  private BackendHealth rootHealth() {
    ComponentServiceObjects<RootKeyProvider> cso = roots.get(provider);
    RootKeyProvider root = cso == null ? null : cso.getService();
    if (root == null) {
      return null;
    }
    try {
      return root.health();
    } finally {
      cso.ungetService(root);
    }
  }

  private static void write(HttpServletResponse resp, int status, String body) throws IOException {
    resp.setStatus(status);
    resp.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
  }
}
