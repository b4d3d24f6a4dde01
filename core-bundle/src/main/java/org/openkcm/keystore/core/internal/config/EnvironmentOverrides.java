package org.openkcm.keystore.core.internal.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.openkcm.keystore.model.InvalidConfigurationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lays environment variables over the yaml tree, before validation, so a value is checked the same
 * way wherever it came from. Order, lowest first: config.yaml, the variables a bundle declares for
 * its section ({@link DeclaredSection#env()}, e.g. a storage product's own address variable; never
 * a secret, which the bundle reads itself), then {@code OPENKCM_KEYSTORE_<SECTION>_<FIELD>} with
 * the camelCase field in upper snake case, e.g. {@code OPENKCM_KEYSTORE_PLUGINS_CALL_TIMEOUT},
 * {@code OPENKCM_KEYSTORE_BACKENDS_<NAME>_ADDRESS}, {@code OPENKCM_KEYSTORE_ROUTING_RULES} (rules
 * separated by {@code ;}).
 */
final class EnvironmentOverrides {
  private static final Logger LOG = LoggerFactory.getLogger(EnvironmentOverrides.class);
  static final String PREFIX = "OPENKCM_KEYSTORE_";
  static final String CONFIG_PATH_VARIABLE = PREFIX + "CONFIG";

  /**
   * Variables of this prefix read by others (launcher, console, local root key), not configuration
   * sections.
   */
  private static final Set<String> NOT_SECTIONS =
      Set.of(CONFIG_PATH_VARIABLE, PREFIX + "DEV", PREFIX + "MASTER_KEY");

  private static final Map<String, String> SECTIONS =
      Map.of(
          "ROUTING_",
          "routing",
          "PLUGINS_",
          "plugins",
          "HEALTH_",
          "plugins",
          "CACHE_",
          "cache",
          "ROOT_KEY_",
          "rootKey",
          "ROOTKEY_",
          "rootKey",
          "RECONCILER_",
          "reconciler");

  private EnvironmentOverrides() {}

  /**
   * Applies the variables to {@code yaml} (modified in place).
   *
   * @return for each overridden path (e.g. {@code plugins.callTimeout}) the variable that set it,
   *     so errors name it
   */
  static Map<String, String> apply(Map<String, Object> yaml, Map<String, String> env)
      throws InvalidConfigurationException {
    return apply(yaml, env, SectionDeclarations.NONE);
  }

  /**
   * @param declared the sections whose bundles map variables of their own onto fields
   */
  static Map<String, String> apply(
      Map<String, Object> yaml, Map<String, String> env, SectionDeclarations declared)
      throws InvalidConfigurationException {
    Map<String, String> origins = new LinkedHashMap<>();
    for (DeclaredSection d : declared.all()) {
      for (Map.Entry<String, String> b : new TreeMap<>(d.env()).entrySet()) {
        String value = env.get(b.getKey());
        if (value != null && !value.isEmpty()) {
          List<String> path = new ArrayList<>(List.of(d.path().split("\\.")));
          path.add(b.getValue());
          put(yaml, path, value);
          origins.put(d.path() + "." + b.getValue(), b.getKey());
        }
      }
    }
    for (String variable : new TreeMap<>(env).keySet()) {
      if (!variable.startsWith(PREFIX) || NOT_SECTIONS.contains(variable)) {
        continue;
      }
      List<String> path = path(variable.substring(PREFIX.length()), yaml, declared);
      if (path == null) {
        // another component's variable (e.g. a start script's): not ours to reject
        LOG.warn("Ignoring environment variable {}: it names no configuration section", variable);
        continue;
      }
      put(yaml, path, env.get(variable));
      origins.put(String.join(".", path), variable);
    }
    return origins;
  }

  /**
   * @return the yaml path the variable sets, or {@code null} if it names no section
   */
  private static List<String> path(
      String rest, Map<String, Object> yaml, SectionDeclarations declared) {
    for (Map.Entry<String, String> s : SECTIONS.entrySet()) {
      if (rest.startsWith(s.getKey()) && rest.length() > s.getKey().length()) {
        return List.of(s.getValue(), camel(rest.substring(s.getKey().length())));
      }
    }
    for (String top : declared.topLevel()) {
      String upper = upperSnake(top) + "_";
      if (rest.startsWith(upper) && rest.length() > upper.length()) {
        return List.of(top, camel(rest.substring(upper.length())));
      }
    }
    if (rest.startsWith("BACKENDS_")) {
      String tail = rest.substring("BACKENDS_".length());
      for (String name : backendNames(yaml, declared)) {
        String upper = name.toUpperCase(Locale.ROOT).replace('-', '_') + "_";
        if (tail.startsWith(upper) && tail.length() > upper.length()) {
          return List.of("backends", name, camel(tail.substring(upper.length())));
        }
      }
      int cut = tail.indexOf('_');
      if (cut > 0 && cut < tail.length() - 1) {
        return List.of(
            "backends",
            tail.substring(0, cut).toLowerCase(Locale.ROOT),
            camel(tail.substring(cut + 1)));
      }
    }
    return null;
  }

  /**
   * Known backend names (declared or in the file), longest first, so {@code EU_STORE} is not
   * mistaken for {@code EU}.
   */
  private static List<String> backendNames(Map<String, Object> yaml, SectionDeclarations declared) {
    List<String> names = new ArrayList<>();
    for (DeclaredSection d : declared.all()) {
      if (d.path().startsWith("backends.")) {
        names.add(d.path().substring("backends.".length()));
      }
    }
    if (yaml.get("backends") instanceof Map<?, ?> m) {
      m.keySet().forEach(k -> names.add(String.valueOf(k)));
    }
    names.sort(Comparator.comparingInt(String::length).reversed());
    return names;
  }

  /** {@code maxEntries} to {@code MAX_ENTRIES}. */
  static String upperSnake(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
  }

  /** {@code MAX_ENTRIES} to {@code maxEntries}. */
  static String camel(String upperSnake) {
    StringBuilder b = new StringBuilder();
    boolean up = false;
    for (char c : upperSnake.toLowerCase(Locale.ROOT).toCharArray()) {
      if (c == '_') {
        up = b.length() > 0;
      } else {
        b.append(up ? Character.toUpperCase(c) : c);
        up = false;
      }
    }
    return b.toString();
  }

  @SuppressWarnings("unchecked")
  private static void put(Map<String, Object> yaml, List<String> path, String value)
      throws InvalidConfigurationException {
    Map<String, Object> node = yaml;
    for (int i = 0; i < path.size() - 1; i++) {
      Object child = node.get(path.get(i));
      if (child == null) {
        child = new LinkedHashMap<String, Object>();
        node.put(path.get(i), child);
      }
      if (!(child instanceof Map)) {
        throw new InvalidConfigurationException(
            String.join(".", path.subList(0, i + 1)), "must be a mapping");
      }
      node = (Map<String, Object>) child;
    }
    node.put(path.get(path.size() - 1), value);
  }
}
