package org.openkcm.keystore.core.internal.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.openkcm.keystore.core.internal.routing.RuleParser;
import org.openkcm.keystore.model.InvalidConfigurationException;
import org.openkcm.keystore.model.Limits;

/**
 * The {@code plugins:} list in OpenKCM's shape: one out-of-process (go-plugin) backend per item,
 * each a named factory configuration {@value #FACTORY_PID}{@code ~<name>} of the plugin host
 * bundle. The mapping form of {@code plugins:} (call timeouts, absentWait, ...) is unchanged; with
 * a list there, those settings go under its alias {@code health:}. Env values are never echoed in a
 * message.
 */
final class PluginEntries {
  static final String FACTORY_PID = ConfigSchema.PID_PREFIX + "goplugin";
  private static final Set<String> FIELDS =
      Set.of(
          "name",
          "path",
          "type",
          "args",
          "env",
          "checksum",
          "logLevel",
          "tags",
          "disabled",
          "yamlConfiguration",
          "startTimeout",
          "callTimeout",
          "healthInterval",
          "maxBackoff");

  private PluginEntries() {}

  /**
   * @return properties per named factory PID, in list order
   */
  static Map<String, Map<String, Object>> translate(ConfigTranslator t, List<?> items)
      throws InvalidConfigurationException {
    Map<String, Map<String, Object>> out = new LinkedHashMap<>();
    for (int i = 0; i < items.size(); i++) {
      String where = "plugins[" + i + "]";
      if (!(items.get(i) instanceof Map<?, ?> item)) {
        throw t.error(where, "must be a mapping (name, path, checksum, ...)");
      }
      Map<String, Object> props = new LinkedHashMap<>();
      for (Map.Entry<?, ?> f : item.entrySet()) {
        String field = String.valueOf(f.getKey());
        String at = where + "." + Limits.printable(field);
        if (!FIELDS.contains(field)) {
          throw t.error(
              at,
              "unknown field (known: " + String.join(", ", new java.util.TreeSet<>(FIELDS)) + ")");
        }
        Object v = f.getValue();
        if (v == null) {
          continue;
        }
        props.put(
            field,
            switch (field) {
              case "args", "tags" -> strings(t, at, v);
              case "env" -> env(t, at, v);
              case "disabled" -> FieldValues.typed(t, at, FieldType.BOOLEAN, v, false);
              case "startTimeout", "callTimeout", "healthInterval", "maxBackoff" ->
                  FieldValues.typed(t, at, FieldType.DURATION, v, false);
              default -> FieldValues.typed(t, at, FieldType.STRING, v, false);
            });
      }
      Object name = props.get("name");
      if (!(name instanceof String n) || n.isBlank()) {
        throw t.error(where + ".name", "is required");
      }
      RuleParser.checkBackendName(where + ".name", n);
      if (ConfigSchema.RESERVED_BACKEND_NAMES.contains(n)) {
        throw t.error(where + ".name", "is a reserved name");
      }
      for (String required : List.of("path", "checksum")) {
        if (!props.containsKey(required)) {
          throw t.error(where + "." + required, "is required");
        }
      }
      if (out.put(FACTORY_PID + "~" + n, props) != null) {
        throw t.error(where + ".name", "'" + n + "' is used by another plugin entry");
      }
    }
    return out;
  }

  private static String[] strings(ConfigTranslator t, String where, Object v)
      throws InvalidConfigurationException {
    if (!(v instanceof List<?> l)) {
      throw t.error(where, "must be a list");
    }
    List<String> out = new ArrayList<>();
    for (Object o : l) {
      if (o == null || o instanceof Map || o instanceof List) {
        throw t.error(where, "must be a list of strings");
      }
      out.add(String.valueOf(o));
    }
    return out.toArray(new String[0]);
  }

  /**
   * {@code env:} as a mapping NAME: value (OpenKCM) or a list of NAME=value; stored as NAME=value
   * strings.
   */
  private static String[] env(ConfigTranslator t, String where, Object v)
      throws InvalidConfigurationException {
    if (v instanceof Map<?, ?> m) {
      List<String> out = new ArrayList<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        String k = String.valueOf(e.getKey());
        if (!k.matches("[A-Za-z_][A-Za-z0-9_]{0,127}")) {
          throw t.error(where + "." + Limits.printable(k), "is not an environment variable name");
        }
        out.add(k + "=" + (e.getValue() == null ? "" : String.valueOf(e.getValue())));
      }
      return out.toArray(new String[0]);
    }
    String[] pairs = strings(t, where, v);
    for (String p : pairs) {
      if (p.indexOf('=') < 1) {
        throw t.error(where, "entries must be NAME=value");
      }
    }
    return pairs;
  }
}
