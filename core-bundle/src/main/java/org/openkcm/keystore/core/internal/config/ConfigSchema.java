package org.openkcm.keystore.core.internal.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.openkcm.keystore.core.internal.backend.PluginsConfig;
import org.openkcm.keystore.core.internal.cache.CacheConfig;
import org.openkcm.keystore.core.internal.crypto.RootKeyConfig;
import org.openkcm.keystore.core.internal.keys.ReconcilerConfig;
import org.openkcm.keystore.core.internal.routing.RoutingConfig;

/**
 * Which yaml section goes to which ConfigAdmin PID, and the fields the bridge knows. The core's own
 * sections (routing, plugins, reconciler, cache, rootKey) take their fields, types and defaults
 * from the metatype of their component ({@link MetatypeFields}): an unknown field is rejected.
 * Sections other bundles declare are checked against their owner's metatype through the MetaType
 * service ({@link FieldCatalog}) when it runs. The core names no section of another bundle: each
 * declares its own ({@link DeclaredSection}).
 */
final class ConfigSchema {
  static final String PID_PREFIX = "org.openkcm.keystore.";

  /** Names a backend may not take, because its PID would collide with a core section. */
  static final Set<String> RESERVED_BACKEND_NAMES =
      Set.of("routing", "plugins", "cache", "rootkey", "config", "reconciler", "grpc");

  /** One section: where it goes and what it holds. */
  record Section(
      String path,
      String pid,
      boolean strict,
      Map<String, FieldType> fields,
      Map<String, String> aliases,
      List<MetatypeFields.Field> metatype) {
    Section(
        String path,
        String pid,
        boolean strict,
        Map<String, FieldType> fields,
        Map<String, String> aliases) {
      this(path, pid, strict, fields, aliases, List.of());
    }

    Optional<FieldType> type(String field) {
      return Optional.ofNullable(fields.get(field));
    }

    String canonical(String field) {
      return aliases.getOrDefault(field, field);
    }
  }

  private ConfigSchema() {}

  static final Section ROUTING =
      core(
          "routing",
          RoutingConfig.class,
          Map.of(
              "rules",
              FieldType.RULES,
              "defaultBackend",
              FieldType.BACKEND,
              "backends",
              FieldType.BACKEND_LIST),
          Map.of("default", "defaultBackend"));

  static final Section PLUGINS =
      core(
          "plugins",
          PluginsConfig.class,
          Map.of(
              "inlineBackends", FieldType.BACKEND_LIST, "workerBackends", FieldType.BACKEND_LIST),
          Map.of("interval", "healthInterval", "timeout", "healthTimeout"));

  static final Section RECONCILER = core("reconciler", ReconcilerConfig.class, Map.of(), Map.of());

  static final Section CACHE = core("cache", CacheConfig.class, Map.of(), Map.of());

  static final Section ROOT_KEY = core("rootKey", RootKeyConfig.class, Map.of(), Map.of());

  /** The core's own sections, in the order the documentation lists them. */
  static final List<Section> CORE = List.of(ROUTING, PLUGINS, RECONCILER, CACHE, ROOT_KEY);

  /**
   * A section of the core's own components: fields, types and PID from the component's metatype,
   * with {@code refined} the checks the metatype cannot express (a routing rule, a backend name).
   */
  private static Section core(
      String path, Class<?> config, Map<String, FieldType> refined, Map<String, String> aliases) {
    MetatypeFields.Component c = MetatypeFields.of(config);
    Map<String, FieldType> fields = new LinkedHashMap<>();
    for (MetatypeFields.Field f : c.fields()) {
      fields.put(f.id(), refined.getOrDefault(f.id(), f.fieldType()));
    }
    return new Section(
        path, c.pid(), true, Collections.unmodifiableMap(fields), aliases, c.fields());
  }

  /**
   * @return the section of a top-level yaml key ({@code health} is an alias of {@code plugins})
   */
  static Optional<Section> section(String key) {
    return switch (key) {
      case "routing" -> Optional.of(ROUTING);
      case "plugins", "health" -> Optional.of(PLUGINS);
      case "cache" -> Optional.of(CACHE);
      case "reconciler" -> Optional.of(RECONCILER);
      case "rootKey", "rootkey" -> Optional.of(ROOT_KEY);
      default -> Optional.empty();
    };
  }

  /**
   * @return the section of {@code backends.<name>}: the one its bundle declares, else a section
   *     whose fields pass with their yaml types (checked against the metatype when installed)
   */
  static Section backend(String name, SectionDeclarations declared) {
    return declared
        .at("backends." + name)
        .map(DeclaredSection::section)
        .orElseGet(
            () -> new Section("backends." + name, PID_PREFIX + name, false, Map.of(), Map.of()));
  }

  /** Fields whose values never appear in a message, whatever the section. */
  static boolean isSecret(Section s, String field) {
    String f = field.toLowerCase(Locale.ROOT);
    if (s.type(field).map(t -> t == FieldType.SECRET).orElse(false)) {
      return true;
    }
    if (f.endsWith("label")) {
      return false; // a name, e.g. rootKey.pkcs11.tokenLabel: the PKCS#11 token's label
    }
    return f.contains("token")
        || f.contains("secret")
        || f.contains("password")
        || f.contains("passphrase")
        || f.equals("pin")
        || field.endsWith("Pin");
  }
}
