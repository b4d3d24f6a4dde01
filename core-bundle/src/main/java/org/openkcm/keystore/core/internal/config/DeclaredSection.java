package org.openkcm.keystore.core.internal.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A config.yaml section a bundle declares for its own component, in its resource {@value
 * SectionDeclarations#RESOURCE}: the yaml path and the PID it goes to, plus what the component's
 * metatype cannot say (fields checked as an address or a path, environment variables of the
 * component's own product mapped onto fields, where the component reads its secrets from, a section
 * that inherits another's fields). The core lists no section of any other bundle.
 *
 * @param path the yaml path, e.g. {@code backends.<name>} or {@code rootKey.<provider>}
 * @param pid the ConfigAdmin PID the section's fields go to
 * @param types fields checked as a {@link FieldType} other than what their yaml value is
 * @param env environment variables (lower precedence than {@code OPENKCM_KEYSTORE_*}) to fields
 * @param secretHint where the component reads its secrets from, told when one is refused here
 * @param inherits the path of a section whose fields this one takes unless it sets them itself
 * @param notInherited the fields of {@code inherits} that stay there
 * @param provider the {@code rootKey.provider} value that makes the section used without a body
 */
record DeclaredSection(
    String path,
    String pid,
    Map<String, FieldType> types,
    Map<String, String> env,
    String secretHint,
    String inherits,
    Set<String> notInherited,
    String provider) {

  /** Reads the attributes {@code <path>.<attribute>} of one section. */
  static DeclaredSection of(String path, Map<String, String> attributes) {
    String pid = attributes.get("pid");
    if (pid == null || !pid.startsWith(ConfigSchema.PID_PREFIX)) {
      throw new IllegalArgumentException(
          path + ".pid: must be a PID starting with " + ConfigSchema.PID_PREFIX);
    }
    Map<String, FieldType> types = new LinkedHashMap<>();
    pairs(path + ".types", attributes.get("types"))
        .forEach((k, v) -> types.put(k, FieldType.valueOf(v.toUpperCase(Locale.ROOT))));
    return new DeclaredSection(
        path,
        pid,
        Map.copyOf(types),
        pairs(path + ".env", attributes.get("env")),
        attributes.get("secrets"),
        attributes.get("inherits"),
        Set.copyOf(ConfigTranslator.split(attributes.getOrDefault("notInherited", ""), ",")),
        attributes.get("provider"));
  }

  Optional<String> hint() {
    return Optional.ofNullable(secretHint);
  }

  ConfigSchema.Section section() {
    return new ConfigSchema.Section(path, pid, false, types, Map.of());
  }

  /** {@code a:b, c:d} in file order. */
  private static Map<String, String> pairs(String where, String text) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : ConfigTranslator.split(text == null ? "" : text, ",")) {
      int colon = pair.indexOf(':');
      if (colon < 1 || colon == pair.length() - 1) {
        throw new IllegalArgumentException(where + ": '" + pair + "' is not name:value");
      }
      out.put(pair.substring(0, colon).trim(), pair.substring(colon + 1).trim());
    }
    return out;
  }
}
