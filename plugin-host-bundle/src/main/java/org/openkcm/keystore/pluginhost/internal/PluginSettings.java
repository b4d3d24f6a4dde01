package org.openkcm.keystore.pluginhost.internal;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A validated plugin entry. Nothing here is secret by itself; the entry's env values may be, so
 * {@link #toString()} prints only their names.
 */
record PluginSettings(
    String name,
    Path path,
    List<String> args,
    Map<String, String> env,
    byte[] checksum,
    String logLevel,
    List<String> tags,
    boolean disabled,
    String yamlConfiguration,
    Duration startTimeout,
    Duration callTimeout,
    Duration healthInterval,
    Duration maxBackoff) {
  static final String TYPE = "KeystoreOperations";
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,62}");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
  private static final Set<String> LEVELS = Set.of("trace", "debug", "info", "warn", "error");

  /**
   * Variables the host sets itself, and the runtime's own secrets: an entry may name none of them.
   */
  private static final Set<String> RESERVED =
      Set.of(
          TYPE,
          "PLUGIN_PROTOCOL_VERSIONS",
          "PLUGIN_CLIENT_CERT",
          "PLUGIN_UNIX_SOCKET_DIR",
          "PLUGIN_MIN_PORT",
          "PLUGIN_MAX_PORT",
          "PLUGIN_MULTIPLEX_GRPC",
          "BAO_TOKEN",
          "VAULT_TOKEN");

  static PluginSettings from(PluginConfig c) throws IllegalArgumentException {
    String name = c.name() == null ? "" : c.name().trim();
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "plugins.name: must be lower-case letters, digits and '-', starting with a letter");
    }
    String where = "plugin '" + name + "': ";
    if (!TYPE.equals(c.type())) {
      throw new IllegalArgumentException(where + "type: only " + TYPE + " is supported");
    }
    if (c.path() == null || c.path().isBlank() || !Path.of(c.path()).isAbsolute()) {
      throw new IllegalArgumentException(where + "path: must be an absolute path");
    }
    String hex = c.checksum() == null ? "" : c.checksum().trim().toLowerCase(Locale.ROOT);
    if (!hex.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException(
          where + "checksum: must be the hex SHA-256 of the executable (64 hex digits)");
    }
    byte[] sum = new byte[32];
    for (int i = 0; i < 32; i++) {
      sum[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
    }
    Map<String, String> env = new LinkedHashMap<>();
    for (String pair : c.env() == null ? new String[0] : c.env()) {
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      if (eq < 0 || !ENV_NAME.matcher(k).matches()) {
        throw new IllegalArgumentException(where + "env: entries must be NAME=value");
      }
      String upper = k.toUpperCase(Locale.ROOT);
      if (RESERVED.contains(k)
          || upper.startsWith("OPENKCM_KEYSTORE")
          || upper.contains("MASTER_KEY")) {
        throw new IllegalArgumentException(
            where + "env: " + k + " is set by the host or is a secret of the runtime");
      }
      env.put(k, pair.substring(eq + 1));
    }
    String level = c.logLevel() == null ? "info" : c.logLevel().trim().toLowerCase(Locale.ROOT);
    if (!LEVELS.contains(level)) {
      throw new IllegalArgumentException(
          where + "logLevel: must be one of trace, debug, info, warn, error");
    }
    return new PluginSettings(
        name,
        Path.of(c.path()),
        List.of(c.args() == null ? new String[0] : c.args()),
        Map.copyOf(env),
        sum,
        level,
        List.of(c.tags() == null ? new String[0] : c.tags()),
        c.disabled(),
        c.yamlConfiguration() == null ? "" : c.yamlConfiguration(),
        duration(where, "startTimeout", c.startTimeout()),
        duration(where, "callTimeout", c.callTimeout()),
        duration(where, "healthInterval", c.healthInterval()),
        duration(where, "maxBackoff", c.maxBackoff()));
  }

  /**
   * @return whether the executable is a regular file (not a symlink)
   */
  boolean executablePresent() {
    return Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS);
  }

  static Duration duration(String where, String field, String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    try {
      Duration d;
      if (t.endsWith("ms")) {
        d = Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      } else if (t.endsWith("s")) {
        d = Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
      } else if (t.endsWith("m")) {
        d = Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
      } else {
        d = Duration.parse(text.trim());
      }
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(where + field + ": must be positive");
      }
      return d;
    } catch (NumberFormatException | DateTimeParseException e) {
      throw new IllegalArgumentException(
          where + field + ": is not a duration (e.g. 500ms, 5s, 1m)");
    }
  }

  @Override
  public String toString() {
    return "plugin '"
        + name
        + "' "
        + path
        + " env "
        + env.keySet()
        + (disabled ? " (disabled)" : "");
  }
}
