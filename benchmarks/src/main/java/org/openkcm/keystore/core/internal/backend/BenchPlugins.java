package org.openkcm.keystore.core.internal.backend;

import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import org.openkcm.keystore.core.internal.routing.RoutingTable;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.spi.Keystore;

/**
 * The core's real plugin manager built outside OSGi, with the out-of-the-box routing (L2/L3 ->
 * openbao, L4 -> inmemory) and default plugin settings: OpenBao calls go through the per-backend
 * worker pool with its deadline, exactly as in the runtime. Lives in the core's internal package
 * (on a plain classpath only) because the DS lifecycle methods are package-private.
 */
public final class BenchPlugins {
  private BenchPlugins() {}

  /**
   * @param inline backends called on the caller's thread (default: {@code inmemory} only; listing
   *     {@code openbao} too removes the worker hand-off and the deadline: a measurement reference
   *     only)
   * @return an activated plugin manager with {@code backends} (name -> service) bound
   */
  public static PluginManager start(Map<String, Keystore> backends, String... inline)
      throws KeystoreException {
    return startRouted(
        new String[] {"tier=L2,L3 -> openbao", "tier=L4 -> inmemory"}, backends, inline);
  }

  /**
   * As {@link #start} with other routing rules (default backend inmemory), e.g. L2/L3 on postgres.
   */
  public static PluginManager startRouted(
      String[] rules, Map<String, Keystore> backends, String... inline) throws KeystoreException {
    RoutingTable table = RoutingTable.parse(rules, "inmemory", new String[0]);
    PluginManager manager = new PluginManager(() -> table);
    long id = 1;
    for (Map.Entry<String, Keystore> e : backends.entrySet()) {
      Map<String, Object> props = new HashMap<>();
      props.put(Keystore.BACKEND_PROPERTY, e.getKey());
      props.put("service.ranking", 0);
      props.put("service.id", id++);
      if (e.getKey().equals("openbao")) {
        // as the OpenBao bundle registers its service: called on the caller's thread, deadline by
        // interrupt (docs/core.md)
        props.put(BackendServices.INTERRUPTIBLE_PROPERTY, Boolean.TRUE);
      }
      manager.bindKeystore(e.getValue(), props);
    }
    // bound first (as SCR does with static-greedy services present), so the first health check
    // finds them;
    // the periodic checks would add requests to the measured server: once an hour is "never" for a
    // run
    manager.activate(
        config(
            Map.of(
                "healthInterval",
                "1h",
                "inlineBackends",
                inline.length == 0 ? new String[] {"inmemory"} : inline)));
    return manager;
  }

  public static void stop(PluginManager manager) {
    manager.deactivate();
  }

  /** The settings DS would hand in: the annotation's defaults plus {@code overrides}. */
  private static PluginsConfig config(Map<String, Object> overrides) {
    return (PluginsConfig)
        Proxy.newProxyInstance(
            PluginsConfig.class.getClassLoader(),
            new Class<?>[] {PluginsConfig.class},
            (p, m, args) -> {
              if (overrides.containsKey(m.getName())) {
                return overrides.get(m.getName());
              }
              if (m.getDefaultValue() != null) {
                return m.getDefaultValue();
              }
              return switch (m.getName()) {
                case "hashCode" -> System.identityHashCode(p);
                case "equals" -> p == args[0];
                case "toString" -> "PluginsConfig" + overrides;
                default -> throw new IllegalStateException(m.getName());
              };
            });
  }
}
