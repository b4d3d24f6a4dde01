package org.openkcm.keystore.metrics.internal;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

/**
 * {@code GET /metrics} on the runtime's HTTP port (the HTTP whiteboard), in the Prometheus text
 * format, behind the console's login unless configured otherwise.
 */
@Component(
    service = Servlet.class,
    configurationPid = MetricsConfig.PID,
    configurationPolicy = ConfigurationPolicy.OPTIONAL,
    property = {
      "osgi.http.whiteboard.servlet.pattern=/metrics",
      "osgi.http.whiteboard.servlet.name=openkcm-keystore-metrics"
    })
@Designate(ocd = MetricsConfig.class)
public final class MetricsServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final transient KeystoreMetrics metrics;
  private final transient BasicLogin login = BasicLogin.fromEnvironment();
  private final transient PrometheusTextFormatWriter writer = new PrometheusTextFormatWriter(false);
  private volatile boolean requireLogin;

  @Activate
  public MetricsServlet(@Reference KeystoreMetrics metrics, MetricsConfig config) {
    this.metrics = metrics;
    configure(config);
  }

  @Modified
  void configure(MetricsConfig config) {
    requireLogin = config.requireLogin();
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    if (requireLogin && !login.accepts(req.getHeader("Authorization"))) {
      resp.setHeader("WWW-Authenticate", "Basic realm=\"OpenKCM Keystore metrics\"");
      resp.sendError(HttpServletResponse.SC_UNAUTHORIZED);
      return;
    }
    resp.setContentType(CONTENT_TYPE);
    resp.setHeader("Cache-Control", "no-store");
    try (OutputStream out = resp.getOutputStream()) {
      writer.write(out, metrics.registry().scrape());
    }
  }
}
