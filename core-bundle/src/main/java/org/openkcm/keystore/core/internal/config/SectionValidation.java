package org.openkcm.keystore.core.internal.config;

import java.util.Map;
import org.openkcm.keystore.core.internal.backend.PluginSettings;
import org.openkcm.keystore.core.internal.backend.PluginsConfig;
import org.openkcm.keystore.core.internal.cache.CacheConfig;
import org.openkcm.keystore.core.internal.cache.CacheSettings;
import org.openkcm.keystore.core.internal.keys.ReconcilerConfig;
import org.openkcm.keystore.core.internal.keys.ReconcilerSettings;
import org.openkcm.keystore.core.internal.routing.RoutingChanges;
import org.openkcm.keystore.core.internal.routing.RoutingConfig;
import org.openkcm.keystore.model.InvalidConfigurationException;

/**
 * Runs, before anything is applied, the validation the owning components run on activation, so the
 * bridge never reports "applied" for a value its component then rejects (and falls back on).
 */
final class SectionValidation {
  private SectionValidation() {}

  /**
   * @throws InvalidConfigurationException naming the field and why, for the first section its
   *     component would reject
   */
  static void check(Map<String, Map<String, Object>> pids) throws InvalidConfigurationException {
    try {
      Map<String, Object> plugins = pids.get(ConfigSchema.PLUGINS.pid());
      if (plugins != null) {
        PluginSettings.from(ComponentConfigs.of(PluginsConfig.class, plugins));
      }
      Map<String, Object> reconciler = pids.get(ConfigSchema.RECONCILER.pid());
      if (reconciler != null) {
        ReconcilerSettings.from(ComponentConfigs.of(ReconcilerConfig.class, reconciler));
      }
      Map<String, Object> cache = pids.get(ConfigSchema.CACHE.pid());
      if (cache != null) {
        cache(ComponentConfigs.of(CacheConfig.class, cache));
      }
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigurationException(field(e.getMessage()), problem(e.getMessage()));
    }
  }

  /**
   * The routing component's own acceptance check (dropping a backend that holds keys, unless
   * forced).
   */
  static void checkRouting(Map<String, Map<String, Object>> pids, RoutingChanges routing)
      throws InvalidConfigurationException {
    Map<String, Object> r = pids.get(ConfigSchema.ROUTING.pid());
    if (r == null || routing == null) {
      return;
    }
    RoutingConfig c = ComponentConfigs.of(RoutingConfig.class, r);
    // unset rules or default: the routing fills them in from what the backend bundles declare
    routing.check(
        r.containsKey("rules") ? c.rules() : null, c.defaultBackend(), c.backends(), c.force());
  }

  private static void cache(CacheConfig c) throws InvalidConfigurationException {
    CacheSettings.from(c); // the component's own checks, naming the field
  }

  private static String field(String message) {
    int colon = message == null ? -1 : message.indexOf(':');
    return colon > 0 ? message.substring(0, colon) : "configuration";
  }

  private static String problem(String message) {
    int colon = message == null ? -1 : message.indexOf(':');
    return colon > 0 ? message.substring(colon + 1).trim() : String.valueOf(message);
  }
}
