package org.openkcm.keystore.metrics.internal;

import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;
import org.openkcm.keystore.api.BackendStatus;
import org.openkcm.keystore.spi.BackendHealth;
import org.openkcm.keystore.spi.RootKeyProvider;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.ComponentServiceObjects;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's Felix Health Checks: {@code core} (the core's admin view is there), {@code
 * backend:<name>} for every configured backend, {@code rootkey:<provider>} for the root key
 * provider the core uses and {@code audit} for the audit sinks (tag {@value #READY}), and {@code
 * runtime} (tag {@value #LIVE}). Backends come and go with the routing configuration, so the set is
 * kept in step once a second. The probes ({@link HealthServlet}) and the Web Console's health view
 * run these same checks.
 */
@Component(
    service = {},
    immediate = true,
    configurationPid = HealthChecks.ROOT_KEY_PID,
    configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class HealthChecks {
  static final String ROOT_KEY_PID = "org.openkcm.keystore.rootkey";
  static final String READY = "ready";
  static final String LIVE = "live";
  static final String TAG = "openkcm-keystore";
  private static final Logger LOG = LoggerFactory.getLogger(HealthChecks.class);

  /** The core's root key choice, merged in from its PID. */
  @interface RootKeyChoice {
    String provider() default "local";
  }

  private final BundleContext context;
  private final KeystoreMetrics sources;
  private final Map<String, ComponentServiceObjects<RootKeyProvider>> roots =
      new ConcurrentHashMap<>();
  private final Map<String, ServiceRegistration<HealthCheck>> registered = new HashMap<>();
  private final ScheduledExecutorService sync =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "openkcm-health-checks");
            t.setDaemon(true);
            return t;
          });
  private volatile String provider;

  @Activate
  public HealthChecks(
      BundleContext context, @Reference KeystoreMetrics sources, RootKeyChoice choice) {
    this.context = context;
    this.sources = sources;
    this.provider = choice.provider();
    sync.scheduleWithFixedDelay(this::syncQuietly, 0, 1, TimeUnit.SECONDS);
  }

  @Modified
  void modified(RootKeyChoice choice) {
    provider = choice.provider();
    sync.execute(this::syncQuietly);
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

  @Deactivate
  void deactivate() {
    sync.shutdownNow();
    try {
      sync.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (registered) {
      registered.values().forEach(HealthChecks::unregister);
      registered.clear();
    }
  }

  private void syncQuietly() {
    try {
      sync();
    } catch (RuntimeException e) {
      LOG.warn("Health checks not brought up to date: {}", e.getClass().getName());
    }
  }

  /** Registers the checks that should exist and withdraws the ones that should no longer. */
  void sync() {
    Map<String, Map.Entry<String, Supplier<ReadinessChecks.Check>>> wanted = new LinkedHashMap<>();
    wanted.put("core", Map.entry(READY, this::core));
    for (BackendStatus b : sources.backends()) {
      if (b.configured()) {
        String name = b.name();
        wanted.put(
            "backend:" + name, Map.entry(READY, () -> ReadinessChecks.backend(backend(name))));
      }
    }
    String root = provider;
    wanted.put(
        "rootkey:" + root, Map.entry(READY, () -> ReadinessChecks.rootKey(rootHealth(root), root)));
    wanted.put("audit", Map.entry(READY, () -> ReadinessChecks.audit(sources.sinks())));
    wanted.put("runtime", Map.entry(LIVE, this::runtime));
    synchronized (registered) {
      registered
          .entrySet()
          .removeIf(
              e -> {
                if (wanted.containsKey(e.getKey())) {
                  return false;
                }
                unregister(e.getValue());
                return true;
              });
      wanted.forEach(
          (name, check) ->
              registered.computeIfAbsent(name, n -> register(n, check.getKey(), check.getValue())));
    }
  }

  private ServiceRegistration<HealthCheck> register(
      String name, String tag, Supplier<ReadinessChecks.Check> check) {
    Dictionary<String, Object> props = new Hashtable<>();
    props.put(HealthCheck.NAME, name);
    props.put(HealthCheck.TAGS, new String[] {tag, TAG});
    props.put(HealthCheck.RESULT_CACHE_TTL_IN_MS, 1L); // probes must see a change at once
    HealthCheck hc =
        () -> {
          ReadinessChecks.Check c = check.get();
          return new Result(c.ok() ? Result.Status.OK : Result.Status.CRITICAL, c.state());
        };
    return context.registerService(HealthCheck.class, hc, props);
  }

  private static void unregister(ServiceRegistration<HealthCheck> r) {
    try {
      r.unregister();
    } catch (IllegalStateException e) {
      // already gone with the bundle
    }
  }

  private BackendStatus backend(String name) {
    List<BackendStatus> all = sources.backends();
    return all.stream().filter(b -> b.name().equals(name)).findFirst().orElse(null);
  }

  /** Until the core's admin view is there, the configured backends (and their checks) are not. */
  private ReadinessChecks.Check core() {
    boolean up = sources.adminPresent();
    return new ReadinessChecks.Check("core", up, up ? "ACTIVE" : "ABSENT");
  }

  private ReadinessChecks.Check runtime() {
    int state = context.getBundle(0).getState();
    return new ReadinessChecks.Check(
        "runtime", state == Bundle.ACTIVE, state == Bundle.ACTIVE ? "ACTIVE" : "STOPPING");
  }

  private BackendHealth rootHealth(String name) {
    ComponentServiceObjects<RootKeyProvider> cso = roots.get(name);
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
}
