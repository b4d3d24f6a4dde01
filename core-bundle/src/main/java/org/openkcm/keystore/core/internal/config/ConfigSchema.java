package org.openkcm.keystore.core.internal.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which yaml section goes to which ConfigAdmin PID, and the fields the bridge knows. Sections owned
 * by the core (routing, plugins) are <em>strict</em>: an unknown field is rejected. Sections owned
 * by other bundles (cache, rootKey, each backend) check the fields listed here and pass others
 * through with their yaml type, since the owning bundle's metatype is the authority on them.
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

  /** {@code rootKey.transit}: the OpenBao Transit root key provider of the openbao bundle. */
  static final Section TRANSIT =
      new Section(
          "rootKey.transit",
          PID_PREFIX + "openbao.transit",
          false,
          ordered(
              "address", FieldType.URL, "token", FieldType.SECRET, "secretId", FieldType.SECRET),
          Map.of());

  /**
   * {@code rootKey.pkcs11}: the PKCS#11 root key provider of the pkcs11 bundle (the PIN is never a
   * field: env or file).
   */
  static final Section PKCS11 =
      new Section(
          "rootKey.pkcs11",
          PID_PREFIX + "pkcs11",
          false,
          ordered(
              "library",
              FieldType.STRING,
              "keyLabel",
              FieldType.STRING,
              "tokenLabel",
              FieldType.STRING,
              "pinFile",
              FieldType.STRING,
              "pinEnv",
              FieldType.STRING),
          Map.of());

  /**
   * {@code grpc}: the gRPC server bundle (its metatype is the authority on the fields; clients is a
   * list).
   */
  static final Section GRPC = new Section("grpc", PID_PREFIX + "grpc", false, Map.of(), Map.of());

  /**
   * @return the section of a top-level yaml key ({@code health} is an alias of {@code plugins})
   */
  static Optional<Section> section(String key) {
    return switch (key) {
      case "routing" -> Optional.of(ROUTING);
      case "plugins", "health" -> Optional.of(PLUGINS);
      case "cache" -> Optional.of(CACHE);
      case "reconciler" -> Optional.of(RECONCILER);
      case "grpc" -> Optional.of(GRPC);
      case "rootKey", "rootkey" -> Optional.of(ROOT_KEY);
      default -> Optional.empty();
    };
  }

  /**
   * @return the section of {@code backends.<name>}
   */
  static Section backend(String name) {
    Map<String, FieldType> fields =
        switch (name) {
          case "openbao" ->
              ordered(
                  "address",
                  FieldType.URL,
                  "token",
                  FieldType.SECRET,
                  "namespace",
                  FieldType.PATH,
                  "mount",
                  FieldType.PATH,
                  "prefix",
                  FieldType.PATH,
                  "authMethod",
                  FieldType.STRING,
                  "roleId",
                  FieldType.STRING,
                  "secretId",
                  FieldType.SECRET,
                  "caFile",
                  FieldType.STRING);
          case "inmemory" -> ordered("maxEntries", FieldType.INT);
          case "postgres" ->
              ordered(
                  "url",
                  FieldType.STRING,
                  "user",
                  FieldType.STRING,
                  "passwordFile",
                  FieldType.STRING,
                  "passwordEnv",
                  FieldType.STRING,
                  "schema",
                  FieldType.STRING,
                  "poolSize",
                  FieldType.INT,
                  "sslMode",
                  FieldType.STRING,
                  "sslRootCert",
                  FieldType.STRING);
          default -> Map.of();
        };
    return new Section("backends." + name, PID_PREFIX + name, false, fields, Map.of());
  }

  /**
   * @return why a field may not be set through the configuration at all (its value would be
   *     persisted by ConfigAdmin), or empty: the PostgreSQL password comes from a file or the
   *     environment only
   */
  static Optional<String> refusal(Section s, String field) {
    if (s.path().equals("backends.postgres")
        && (field.equalsIgnoreCase("password") || field.equalsIgnoreCase("sslPassword"))) {
      return Optional.of(
          "is never stored in the configuration: put it in a file (passwordFile) or an environment variable"
              + " (passwordEnv, default PGPASSWORD)");
    }
    return Optional.empty();
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
        || f.contains("passphrase");
  }

  private static Map<String, FieldType> ordered(Object... pairs) {
    Map<String, FieldType> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put((String) pairs[i], (FieldType) pairs[i + 1]);
    }
    return m;
  }
}
