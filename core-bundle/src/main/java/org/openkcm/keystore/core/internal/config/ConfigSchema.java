package org.openkcm.keystore.core.internal.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which yaml section goes to which ConfigAdmin PID, and the fields the bridge knows. Sections owned
 * by the core's own strict components (routing, plugins, reconciler) are <em>strict</em>: an
 * unknown field is rejected. Other sections (cache, rootKey, every section a bundle declares) pass
 * fields through with their yaml type, since the owning component's metatype is the authority on
 * them. The core names no section of another bundle: each declares its own ({@link
 * DeclaredSection}).
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
      Map<String, String> aliases) {
    Optional<FieldType> type(String field) {
      return Optional.ofNullable(fields.get(field));
    }

    String canonical(String field) {
      return aliases.getOrDefault(field, field);
    }
  }

  private ConfigSchema() {}

  static final Section ROUTING =
      new Section(
          "routing",
          PID_PREFIX + "routing",
          true,
          ordered(
              "rules",
              FieldType.RULES,
              "defaultBackend",
              FieldType.BACKEND,
              "backends",
              FieldType.BACKEND_LIST,
              "force",
              FieldType.BOOLEAN),
          Map.of("default", "defaultBackend"));

  static final Section PLUGINS =
      new Section(
          "plugins",
          PID_PREFIX + "plugins",
          true,
          ordered(
              "callTimeout",
              FieldType.DURATION,
              "absentWait",
              FieldType.DURATION,
              "maxConcurrentCalls",
              FieldType.INT,
              "maxQueuedCalls",
              FieldType.INT,
              "inlineBackends",
              FieldType.BACKEND_LIST,
              "healthInterval",
              FieldType.DURATION,
              "unhealthyInterval",
              FieldType.DURATION,
              "healthTimeout",
              FieldType.DURATION,
              "degradedLatency",
              FieldType.DURATION,
              "breakerFailures",
              FieldType.INT,
              "breakerOpenTime",
              FieldType.DURATION),
          Map.of("interval", "healthInterval", "timeout", "healthTimeout"));

  static final Section RECONCILER =
      new Section(
          "reconciler",
          PID_PREFIX + "reconciler",
          true,
          ordered(
              "enabled",
              FieldType.BOOLEAN,
              "interval",
              FieldType.DURATION,
              "gracePeriod",
              FieldType.DURATION,
              "duplicateScan",
              FieldType.BOOLEAN),
          Map.of());

  static final Section CACHE =
      new Section("cache", PID_PREFIX + "cache", false, Map.of(), Map.of());

  static final Section ROOT_KEY =
      new Section(
          "rootKey",
          PID_PREFIX + "rootkey",
          false,
          ordered(
              "provider",
              FieldType.STRING,
              "masterKeyFile",
              FieldType.STRING,
              "writeTimeTolerance",
              FieldType.DURATION),
          Map.of());

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

  private static Map<String, FieldType> ordered(Object... pairs) {
    Map<String, FieldType> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put((String) pairs[i], (FieldType) pairs[i + 1]);
    }
    return m;
  }
}
