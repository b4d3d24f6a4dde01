package org.openkcm.keystore.core.internal.config;

import java.io.IOException;
import java.lang.reflect.Array;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.openkcm.keystore.core.internal.routing.RoutingChanges;
import org.openkcm.keystore.model.InvalidConfigurationException;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a validated config.yaml (+ environment) into ConfigAdmin, one configuration per PID,
 * marked with {@value #SOURCE_PROPERTY} so the bridge knows which configurations are its own.
 *
 * <p>Rules: a PID is written only when its properties differ from what ConfigAdmin holds (so an
 * unrelated file edit does not undo a Web Console change to another section); a section removed
 * from the file removes the bridge's configuration of that PID (the component falls back to its
 * defaults, or to a Karaf {@code .cfg}); configurations the bridge did not write are never deleted.
 * Invalid text changes nothing. Values are never logged, only PIDs and field names.
 */
final class ConfigSync {
  static final String SOURCE_PROPERTY = "openkcm.keystore.source";
  private static final Logger LOG = LoggerFactory.getLogger(ConfigSync.class);
  private static final Set<String> ADMIN_PROPERTIES =
      Set.of("service.pid", "service.factoryPid", "service.bundleLocation");

  private final ConfigurationAdmin configAdmin;
  private final String source;
  private final java.util.function.Supplier<FieldCatalog> catalog;

  private final java.util.function.Supplier<RoutingChanges> routing;
  private final java.util.function.Supplier<SectionDeclarations> declared;

  /** What the last successful apply wrote, per PID (without the source marker). */
  private volatile Map<String, Map<String, Object>> inForce = Map.of();

  ConfigSync(
      ConfigurationAdmin configAdmin,
      String source,
      java.util.function.Supplier<FieldCatalog> catalog) {
    this(configAdmin, source, catalog, () -> null);
  }

  /**
   * @param routing asked whether a routing change would be accepted (null while the routing is not
   *     there)
   */
  ConfigSync(
      ConfigurationAdmin configAdmin,
      String source,
      java.util.function.Supplier<FieldCatalog> catalog,
      java.util.function.Supplier<RoutingChanges> routing) {
    this(configAdmin, source, catalog, routing, () -> SectionDeclarations.NONE);
  }

  /**
   * @param declared the config.yaml sections the installed bundles declare
   */
  ConfigSync(
      ConfigurationAdmin configAdmin,
      String source,
      java.util.function.Supplier<FieldCatalog> catalog,
      java.util.function.Supplier<RoutingChanges> routing,
      java.util.function.Supplier<SectionDeclarations> declared) {
    this.declared = declared;
    this.configAdmin = configAdmin;
    this.source = source;
    this.catalog = catalog;
    this.routing = routing;
  }

  /**
   * Validates and applies.
   *
   * @return the properties per PID now in force from this source
   * @throws InvalidConfigurationException naming the first invalid field; ConfigAdmin is unchanged
   */
  synchronized Map<String, Map<String, Object>> apply(String yamlText, Map<String, String> env)
      throws InvalidConfigurationException, IOException {
    Map<String, Map<String, Object>> next =
        ConfigTranslator.translate(
            YamlConfigReader.read(yamlText), env, catalog.get(), declared.get());
    SectionValidation.check(next); // the components' own rules, before anything is written
    SectionValidation.checkRouting(next, routing.get());
    for (Map.Entry<String, Map<String, Object>> e : next.entrySet()) {
      write(e.getKey(), e.getValue());
    }
    removeDropped(next.keySet());
    inForce = Map.copyOf(next);
    return next;
  }

  /**
   * @return whether the last successful apply wrote {@code pid}
   */
  boolean owns(String pid) {
    return inForce.containsKey(pid);
  }

  /**
   * @return whether ConfigAdmin now holds other values for {@code pid}'s fields than the last apply
   *     wrote
   */
  synchronized boolean differs(String pid) {
    Map<String, Object> wanted = inForce.get(pid);
    if (wanted == null) {
      return false;
    }
    try {
      Configuration[] found =
          configAdmin.listConfigurations(
              "(" + org.osgi.framework.Constants.SERVICE_PID + "=" + pid + ")");
      Dictionary<String, Object> current = found == null ? null : found[0].getProperties();
      if (current == null) {
        return true;
      }
      // only what the bridge sets counts: properties others add (e.g. FileInstall's file name) are
      // theirs
      for (Map.Entry<String, Object> e : wanted.entrySet()) {
        if (!equal(current.get(e.getKey()), e.getValue())) {
          return true;
        }
      }
      return false;
    } catch (IOException | InvalidSyntaxException | IllegalStateException e) {
      return true;
    }
  }

  private void write(String pid, Map<String, Object> props) throws IOException {
    int named = pid.indexOf('~');
    // a named factory configuration (plugins: list): factoryPid~name
    Configuration c =
        named > 0
            ? configAdmin.getFactoryConfiguration(
                pid.substring(0, named), pid.substring(named + 1), "?")
            : configAdmin.getConfiguration(pid, "?");
    Dictionary<String, Object> current = c.getProperties();
    Map<String, Object> wanted = new HashMap<>(props);
    wanted.put(SOURCE_PROPERTY, source);
    if (current != null && same(current, wanted)) {
      return;
    }
    c.update(new Hashtable<>(wanted));
    LOG.info("Configuration {} updated from {} (fields {})", pid, source, props.keySet());
  }

  private void removeDropped(Set<String> keep) throws IOException {
    Configuration[] ours;
    try {
      ours = configAdmin.listConfigurations("(" + SOURCE_PROPERTY + "=" + source + ")");
    } catch (InvalidSyntaxException e) {
      throw new IllegalStateException(e);
    }
    if (ours == null) {
      return;
    }
    for (Configuration c : ours) {
      // the PID is read before delete(): a deleted Configuration throws IllegalStateException on
      // every call
      String pid = c.getPid();
      if (!keep.contains(pid)) {
        c.delete();
        LOG.info("Configuration {} removed: its section is no longer in {}", pid, source);
      }
    }
  }

  private static boolean same(Dictionary<String, Object> current, Map<String, Object> wanted) {
    int count = 0;
    for (Enumeration<String> keys = current.keys(); keys.hasMoreElements(); ) {
      String k = keys.nextElement();
      if (ADMIN_PROPERTIES.contains(k)) {
        continue;
      }
      count++;
      if (!equal(current.get(k), wanted.get(k))) {
        return false;
      }
    }
    return count == wanted.size();
  }

  private static boolean equal(Object a, Object b) {
    if (a != null && b != null && a.getClass().isArray() && b.getClass().isArray()) {
      int n = Array.getLength(a);
      if (n != Array.getLength(b)) {
        return false;
      }
      for (int i = 0; i < n; i++) {
        if (!Objects.equals(Array.get(a, i), Array.get(b, i))) {
          return false;
        }
      }
      return true;
    }
    return Objects.equals(a, b);
  }
}
