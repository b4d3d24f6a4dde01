package org.openkcm.keystore.core.internal.shell;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.openkcm.keystore.api.BackendStatus;
import org.openkcm.keystore.api.KeystoreAdmin;
import org.openkcm.keystore.api.RouteView;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.spi.BackendState;
import org.openkcm.keystore.spi.Keystore;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The runtime's terminal banner (with the Gogo shell, the core's terminal side): tells the operator
 * where the console is, which backends are up and how tiers are routed. Printed at start and again
 * whenever the core or a backend comes or goes (debounced, so a burst of arrivals prints once).
 * Without the core's {@link KeystoreAdmin} it prints what the framework knows.
 */
@Component(immediate = true)
public final class RuntimeBanner {
  private static final long DEBOUNCE_MS = 400;

  private final ScheduledExecutorService printer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "openkcm-banner");
            t.setDaemon(true);
            return t;
          });
  private final PrintStream out = System.out;
  private ScheduledFuture<?> pending;
  private volatile String consoleUrl = "";
  private volatile String hotDeploy = "";

  @Reference(
      cardinality = ReferenceCardinality.OPTIONAL,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY,
      bind = "adminChanged",
      unbind = "adminChanged")
  private volatile KeystoreAdmin admin;

  /** References only: the banner reads their names and never calls an unguarded service. */
  @Reference(
      service = Keystore.class,
      cardinality = ReferenceCardinality.MULTIPLE,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY,
      bind = "backendsChanged",
      unbind = "backendsChanged")
  private volatile List<ServiceReference<Keystore>> backends;

  @Activate
  void activate(BundleContext context) {
    String host = valueOr(context.getProperty("org.apache.felix.http.host"), "127.0.0.1");
    String port = valueOr(context.getProperty("org.osgi.service.http.port"), "8080");
    String root = valueOr(context.getProperty("felix.webconsole.manager.root"), "/system/console");
    consoleUrl =
        "http://"
            + (host.isEmpty() || "0.0.0.0".equals(host) ? "127.0.0.1" : host)
            + ":"
            + port
            + root
            + "/keystore";
    hotDeploy = valueOr(context.getProperty("felix.fileinstall.dir"), "bundles");
    schedule();
  }

  @Deactivate
  void deactivate() {
    printer.shutdownNow();
  }

  void adminChanged(KeystoreAdmin ignored) {
    schedule();
  }

  void backendsChanged(ServiceReference<Keystore> ignored) {
    schedule();
  }

  private synchronized void schedule() {
    if (consoleUrl.isEmpty() || printer.isShutdown()) {
      return; // not active yet: activate() schedules the first print
    }
    if (pending != null) {
      pending.cancel(false);
    }
    pending = printer.schedule(this::print, DEBOUNCE_MS, TimeUnit.MILLISECONDS);
  }

  private void print() {
    StringBuilder b = new StringBuilder("\n== OpenKCM Keystore ==\n");
    b.append("  Console:    ")
        .append(consoleUrl)
        .append("  (login: OPENKCM_CONSOLE_USER, or admin/admin with --dev)\n");
    b.append("  Hot deploy: ")
        .append(hotDeploy)
        .append("  (copy a backend bundle jar in, delete it to remove)\n");
    try {
      KeystoreAdmin a = admin;
      if (a != null) {
        describe(b, a);
      } else {
        describeServices(b);
      }
    } catch (RuntimeException e) {
      b.append("  (status not available: ").append(e.getClass().getSimpleName()).append(")\n");
    }
    out.print(b);
    out.flush();
  }

  private static void describe(StringBuilder b, KeystoreAdmin a) {
    List<BackendStatus> statuses = a.backends();
    b.append("  Backends:  ").append(statuses.isEmpty() ? " none" : "").append('\n');
    for (BackendStatus listed : statuses) {
      BackendStatus s = fresh(a, listed);
      b.append("    ")
          .append(s.name())
          .append(' ')
          .append(s.present() ? String.valueOf(s.state()) : "ABSENT")
          .append(s.configured() ? "" : " (not configured)")
          .append(!s.present() ? "" : s.persistent() ? " persistent" : " volatile")
          .append(s.present() && s.keyCount() >= 0 ? ", " + s.keyCount() + " records" : "")
          .append(
              s.state() == BackendState.UP || s.detail() == null || s.detail().isEmpty()
                  ? ""
                  : " - " + s.detail())
          .append('\n');
    }
    b.append("  Routing (first match wins):\n");
    for (RouteView r : a.routes()) {
      b.append("    ")
          .append(r.position())
          .append(". ")
          .append(r.condition())
          .append(" -> ")
          .append(r.backend())
          .append('\n');
    }
  }

  /**
   * A backend that just arrived may not have been checked yet: check it now so the banner is
   * current.
   */
  private static BackendStatus fresh(KeystoreAdmin a, BackendStatus s) {
    if (!s.present() || s.state() == BackendState.UP) {
      return s;
    }
    try {
      return a.checkHealth(s.name());
    } catch (KeystoreException | RuntimeException e) {
      return s;
    }
  }

  private void describeServices(StringBuilder b) {
    b.append("  Core (KeystoreAdmin): not available yet - routing not known\n");
    List<String> present = names(backends);
    b.append("  Backend services present:").append(present.isEmpty() ? " none" : "").append('\n');
    for (String name : present) {
      b.append("    ")
          .append(name)
          .append(" (not checked: the core checks configured backends)")
          .append('\n');
    }
  }

  private static String valueOr(String v, String fallback) {
    return v == null || v.isBlank() ? fallback : v.trim();
  }

  /** Backend names from the services' properties (no call to a service). */
  private static List<String> names(List<ServiceReference<Keystore>> refs) {
    List<String> out = new java.util.ArrayList<>();
    if (refs != null) {
      for (ServiceReference<Keystore> r : refs) {
        Object name = r.getProperty(Keystore.BACKEND_PROPERTY);
        out.add(
            name == null
                ? "(unnamed service " + r.getProperty("service.id") + ")"
                : String.valueOf(name));
      }
    }
    return out;
  }
}
