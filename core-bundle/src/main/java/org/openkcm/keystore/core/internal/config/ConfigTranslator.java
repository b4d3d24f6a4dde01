package org.openkcm.keystore.core.internal.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.openkcm.keystore.core.internal.routing.RuleParser;
import org.openkcm.keystore.model.InvalidConfigurationException;
import org.openkcm.keystore.model.Limits;

/**
 * Turns the yaml tree (with environment overrides laid over it) into one property map per
 * ConfigAdmin PID, validating every field on the way. All or nothing: the first invalid field
 * throws, naming it (and the environment variable it came from, if any), and nothing is produced.
 */
final class ConfigTranslator {
  /**
   * camelCase, or dotted camelCase segments as DS turns {@code l2_maxEntries()} into {@code
   * l2.maxEntries}.
   */
  private static final Pattern FIELD =
      Pattern.compile("[a-z][A-Za-z0-9]{0,63}(\\.[a-z][A-Za-z0-9]{0,63}){0,3}");

  /** Fields of sections owned elsewhere that look like durations are checked as durations. */
  private static final Pattern DURATION_NAME =
      Pattern.compile(".*(Ttl|ttl|Timeout|timeout|Interval|interval|Idle|idle|Age|age)");

  private final FieldCatalog catalog;
  private final SectionDeclarations declared;

  private ConfigTranslator(FieldCatalog catalog, SectionDeclarations declared) {
    this.catalog = catalog;
    this.declared = declared;
  }

  /**
   * @return properties per PID, in file order
   */
  static Map<String, Map<String, Object>> translate(
      Map<String, Object> yaml, Map<String, String> env) throws InvalidConfigurationException {
    return translate(yaml, env, FieldCatalog.NONE, SectionDeclarations.NONE);
  }

  /**
   * @param catalog the owning bundles' metatype: sections owned elsewhere reject fields it does not
   *     list
   */
  static Map<String, Map<String, Object>> translate(
      Map<String, Object> yaml, Map<String, String> env, FieldCatalog catalog)
      throws InvalidConfigurationException {
    return translate(yaml, env, catalog, SectionDeclarations.NONE);
  }

  /**
   * @param declared the sections the installed bundles declare (their PIDs, field checks and
   *     environment variables)
   */
  static Map<String, Map<String, Object>> translate(
      Map<String, Object> yaml,
      Map<String, String> env,
      FieldCatalog catalog,
      SectionDeclarations declared)
      throws InvalidConfigurationException {
    Map<String, String> origins = EnvironmentOverrides.apply(yaml, env, declared);
    try {
      return new ConfigTranslator(catalog, declared).sections(yaml);
    } catch (InvalidConfigurationException e) {
      throw withOrigin(e, origins);
    }
  }

  /**
   * Names the environment variable behind a rejected field, if one set it (or the list/section
   * holding it).
   */
  private static InvalidConfigurationException withOrigin(
      InvalidConfigurationException e, Map<String, String> origins) {
    String f = e.field().orElse(null);
    if (f == null) {
      return e;
    }
    for (Map.Entry<String, String> o : origins.entrySet()) {
      if (f.equals(o.getKey())
          || normalized(f).equals(normalized(o.getKey()))
          || f.startsWith(o.getKey() + ".")
          || f.startsWith(o.getKey() + "[")) {
        String problem =
            e.getMessage().startsWith(f + ": ")
                ? e.getMessage().substring(f.length() + 2)
                : e.getMessage();
        return new InvalidConfigurationException(f + " (from " + o.getValue() + ")", problem);
      }
    }
    return e;
  }

  private Map<String, Map<String, Object>> sections(Map<String, Object> yaml)
      throws InvalidConfigurationException {
    Map<String, Map<String, Object>> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : yaml.entrySet()) {
      if (e.getKey().equals("plugins") && e.getValue() instanceof List<?> entries) {
        for (Map.Entry<String, Map<String, Object>> p :
            PluginEntries.translate(this, entries).entrySet()) {
          merge(out, p.getKey(), p.getValue());
        }
        continue;
      }
      if (e.getKey().equals("backends")) {
        for (Map.Entry<String, Object> b : mapping("backends", e.getValue()).entrySet()) {
          String name =
              RuleParser.checkBackendName("backends." + Limits.printable(b.getKey()), b.getKey());
          if (ConfigSchema.RESERVED_BACKEND_NAMES.contains(name)) {
            throw new InvalidConfigurationException("backends." + name, "is a reserved name");
          }
          ConfigSchema.Section s = ConfigSchema.backend(name, declared);
          merge(out, s.pid(), section(s, b.getValue()));
        }
        continue;
      }
      Optional<ConfigSchema.Section> core = ConfigSchema.section(e.getKey());
      Optional<DeclaredSection> own = declared.at(e.getKey());
      if (core.isEmpty() && own.isEmpty()) {
        List<String> known =
            new ArrayList<>(
                List.of(
                    "routing", "backends", "plugins", "health", "cache", "rootKey", "reconciler"));
        known.addAll(declared.topLevel());
        throw new InvalidConfigurationException(
            Limits.printable(e.getKey()),
            "unknown section (expected " + String.join(", ", known) + ")");
      }
      ConfigSchema.Section s = core.orElseGet(() -> own.get().section());
      Object value = e.getValue();
      if (core.isPresent() && value instanceof Map<?, ?>) {
        // sections other bundles declare inside a core section, e.g. rootKey.<provider>
        Map<String, Object> rest = mapping(s.path(), value);
        for (Map.Entry<String, DeclaredSection> d : declared.under(s.path()).entrySet()) {
          if (rest.containsKey(d.getKey())) {
            ConfigSchema.Section inner = d.getValue().section();
            merge(out, inner.pid(), section(inner, rest.remove(d.getKey())));
          }
        }
        value = rest;
      }
      merge(out, s.pid(), section(s, value));
    }
    inherit(out);
    return out;
  }

  /**
   * A declared section that inherits another (e.g. a root key provider talking to the same server
   * as a backend of the same bundle) takes the other's fields it does not set itself, except those
   * declared as not inherited. It applies when the section is present, or when {@code
   * rootKey.provider} names the section's provider.
   */
  private void inherit(Map<String, Map<String, Object>> out) {
    Object provider = out.getOrDefault(ConfigSchema.ROOT_KEY.pid(), Map.of()).get("provider");
    for (DeclaredSection d : declared.all()) {
      if (d.inherits() == null) {
        continue;
      }
      boolean used =
          out.containsKey(d.pid()) || (d.provider() != null && d.provider().equals(provider));
      Map<String, Object> from = declared.at(d.inherits()).map(f -> out.get(f.pid())).orElse(null);
      if (!used || from == null) {
        continue;
      }
      Map<String, Object> into = out.computeIfAbsent(d.pid(), p -> new LinkedHashMap<>());
      from.forEach(
          (k, v) -> {
            if (!d.notInherited().contains(k)) {
              into.putIfAbsent(k, v);
            }
          });
    }
  }

  private static void merge(
      Map<String, Map<String, Object>> out, String pid, Map<String, Object> props) {
    out.computeIfAbsent(pid, p -> new LinkedHashMap<>()).putAll(props);
  }

  private Map<String, Object> section(ConfigSchema.Section s, Object value)
      throws InvalidConfigurationException {
    Map<String, Object> props = new LinkedHashMap<>();
    if (value == null) {
      return props; // "cache:" with nothing under it: defaults
    }
    // the fields and types: the core's own metatype, else the owning bundle's through the MetaType
    // service (the bundle's declared checks refining its types)
    Optional<Map<String, FieldType>> described =
        s.strict() ? Optional.empty() : catalog.types(s.pid());
    Map<String, FieldType> known = new LinkedHashMap<>(s.fields());
    described.ifPresent(d -> d.forEach(known::putIfAbsent));
    boolean closed = s.strict() || described.isPresent();
    boolean nested = !s.strict() || known.keySet().stream().anyMatch(k -> k.contains("."));
    Map<String, Object> fields =
        nested ? flatten(s.path(), "", mapping(s.path(), value)) : mapping(s.path(), value);
    for (Map.Entry<String, Object> f : fields.entrySet()) {
      String canonical = s.canonical(f.getKey());
      String field = closed ? matching(known.keySet(), canonical) : canonical;
      // an environment variable's camelCased name is shown as the field it matched
      String where =
          s.path() + "." + Limits.printable(field.equals(canonical) ? f.getKey() : field);
      if (!FIELD.matcher(field).matches()) {
        throw error(where, "is not a valid field name (camelCase letters and digits)");
      }
      if (f.getValue() == null) {
        continue; // "token:" with no value: unset
      }
      Object given = f.getValue();
      if (closed && !known.containsKey(field)) {
        Optional<LegacyDurations.Renamed> renamed =
            LegacyDurations.rename(s.path(), where, field, given, known);
        if (renamed.isEmpty()) {
          throw unknown(s, where, described.isPresent(), known);
        }
        field = renamed.get().field();
        given = renamed.get().value();
        if (fields.containsKey(field) || props.containsKey(field)) {
          continue; // the new name is set too: it wins
        }
      }
      FieldType type = known.get(field);
      boolean secret = ConfigSchema.isSecret(s, field) || type == FieldType.SECRET;
      if (secret && !field.endsWith("File") && !field.endsWith("Env")) {
        throw error(
            where,
            "secrets are not accepted in the configuration (ConfigAdmin would persist them): "
                + declared
                    .at(s.path())
                    .flatMap(DeclaredSection::hint)
                    .orElse(
                        "the component reads it from the environment or from a file (see its"
                            + " section's documentation)"));
      }
      props.put(
          field,
          type == null
              ? FieldValues.untyped(this, where, field, given, secret, DURATION_NAME)
              : FieldValues.typed(this, where, type, given, secret));
    }
    return props;
  }

  private InvalidConfigurationException unknown(
      ConfigSchema.Section s, String where, boolean byCatalog, Map<String, FieldType> known) {
    return byCatalog
        ? error(
            where,
            "unknown field: the metatype of "
                + s.pid()
                + " declares "
                + String.join(", ", new TreeSet<>(known.keySet())))
        : error(where, "unknown field (known: " + String.join(", ", known.keySet()) + ")");
  }

  /**
   * Nested mappings of sections owned elsewhere become dotted names: {@code l2: {maxEntries: 5}} is
   * {@code l2.maxEntries}, the property DS reads for {@code l2_maxEntries()}.
   */
  private Map<String, Object> flatten(String where, String prefix, Map<String, Object> m)
      throws InvalidConfigurationException {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : m.entrySet()) {
      String name = prefix + e.getKey();
      if (e.getValue() instanceof Map<?, ?>) {
        out.putAll(flatten(where, name + ".", mapping(where + "." + name, e.getValue())));
      } else {
        out.put(name, e.getValue());
      }
    }
    return out;
  }

  /**
   * The declared id a field stands for, ignoring case, dots and underscores, so that the variable
   * {@code OPENKCM_KEYSTORE_CACHE_L2_MAX_ENTRIES} (read as {@code l2MaxEntries}) sets {@code
   * l2.maxEntries}.
   */
  static String matching(Set<String> declared, String field) {
    if (declared.contains(field)) {
      return field;
    }
    String key = normalized(field);
    return declared.stream().filter(d -> normalized(d).equals(key)).findFirst().orElse(field);
  }

  private static String normalized(String name) {
    return name.replace(".", "").replace("_", "").toLowerCase(java.util.Locale.ROOT);
  }

  private Map<String, Object> mapping(String where, Object value)
      throws InvalidConfigurationException {
    if (!(value instanceof Map<?, ?> m)) {
      throw error(where, "must be a mapping of fields");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : m.entrySet()) {
      out.put(String.valueOf(e.getKey()), e.getValue());
    }
    return out;
  }

  /**
   * An error naming the field (the environment variable behind it is added by {@link #translate}).
   */
  InvalidConfigurationException error(String where, String problem) {
    return new InvalidConfigurationException(where, problem);
  }

  static List<String> split(String text, String separator) {
    return List.of(text.split(separator)).stream()
        .map(String::trim)
        .filter(t -> !t.isEmpty())
        .toList();
  }
}
