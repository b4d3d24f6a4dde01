package org.openkcm.keystore.postgres.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.openkcm.keystore.model.ConfigDurations;
import org.openkcm.keystore.model.InvalidConfigurationException;
import org.openkcm.keystore.model.Limits;

/**
 * Validated, immutable connection settings. The password is resolved once, from a file or an
 * environment variable, and is held only to hand it to the driver: {@link #toString()} never prints
 * it, and a JDBC URL that carries a password (or TLS key password) is rejected so none can hide in
 * a printable setting.
 */
final class PgSettings {
  static final Set<String> SSL_MODES =
      Set.of("disable", "prefer", "require", "verify-ca", "verify-full");
  private static final Pattern URL =
      Pattern.compile("jdbc:postgresql://[A-Za-z0-9.\\-\\[\\]:,]+/[A-Za-z0-9_\\-]+(\\?[^#\\s]*)?");
  private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  private static final Set<String> URL_SECRETS =
      Set.of("password", "sslpassword", "sslkey", "user");

  final String url;
  final String user;
  final String schema;
  final int poolSize;
  final String sslMode;
  final Path sslRootCert;
  final Duration connectTimeout;
  final Duration statementTimeout;
  final int maxRecordBytes;
  private final String password;

  private PgSettings(Builder b, UnaryOperator<String> env) {
    this.url = checkUrl(b.url);
    this.user = required("user", b.user);
    this.schema = checkSchema(b.schema);
    this.poolSize = range("poolSize", b.poolSize, 1, 200);
    String mode =
        b.sslMode == null || b.sslMode.isBlank()
            ? "verify-full"
            : b.sslMode.trim().toLowerCase(Locale.ROOT);
    if (!SSL_MODES.contains(mode)) {
      throw new IllegalArgumentException(
          "sslMode: expected one of "
              + new java.util.TreeSet<>(SSL_MODES)
              + ", was '"
              + Limits.printable(b.sslMode)
              + "'");
    }
    this.sslMode = mode;
    this.sslRootCert =
        b.sslRootCert == null || b.sslRootCert.isBlank() ? null : Path.of(b.sslRootCert.trim());
    if (sslRootCert != null && !Files.isReadable(sslRootCert)) {
      throw new IllegalArgumentException("sslRootCert: " + sslRootCert + " is not a readable file");
    }
    this.connectTimeout =
        Duration.ofMillis(range("connectTimeout", b.connectTimeoutMillis, 1, 600_000));
    this.statementTimeout =
        Duration.ofMillis(range("statementTimeout", b.statementTimeoutMillis, 1, 600_000));
    this.maxRecordBytes =
        range("maxRecordBytes", b.maxRecordBytes, 1, Limits.MAX_SEALED_RECORD_BYTES);
    this.password = resolvePassword(b.passwordFile, b.passwordEnv, env);
  }

  /**
   * A duration field in the configuration's one convention ({@code 2s}, {@code 500ms}) as whole
   * milliseconds (the range is checked by the constructor).
   */
  static int millis(String field, String text) {
    try {
      return (int) Math.min(Integer.MAX_VALUE, ConfigDurations.parse(field, text).toMillis());
    } catch (InvalidConfigurationException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  static Builder builder() {
    return new Builder();
  }

  static PgSettings from(PostgresConfig c, Map<String, Object> properties) {
    if (properties != null
        && (properties.containsKey("password") || properties.containsKey("sslpassword"))) {
      throw new IllegalArgumentException(
          "password: is never taken from the configuration; set passwordFile or passwordEnv");
    }
    return builder()
        .url(c.url())
        .user(c.user())
        .passwordFile(c.passwordFile())
        .passwordEnv(c.passwordEnv())
        .schema(c.schema())
        .poolSize(c.poolSize())
        .tls(c.sslMode(), c.sslRootCert())
        .timeouts(
            millis("connectTimeout", c.connectTimeout()),
            millis("statementTimeout", c.statementTimeout()))
        .maxRecordBytes(c.maxRecordBytes())
        .build();
  }

  /**
   * @return the password for the driver; never log or print it
   */
  String password() {
    return password;
  }

  private static String resolvePassword(String file, String envName, UnaryOperator<String> env) {
    if (file != null && !file.isBlank()) {
      Path p = Path.of(file.trim());
      try {
        String s = Files.readString(p, StandardCharsets.UTF_8);
        int end = s.indexOf('\n');
        String line = (end < 0 ? s : s.substring(0, end)).replace("\r", "");
        if (line.isEmpty()) {
          throw new IllegalArgumentException("passwordFile: " + p + " is empty");
        }
        return line;
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "passwordFile: cannot read " + p + " (" + e.getClass().getSimpleName() + ")");
      }
    }
    String name = envName == null || envName.isBlank() ? "PGPASSWORD" : envName.trim();
    if (!name.matches("[A-Za-z_][A-Za-z0-9_]{0,127}")) {
      throw new IllegalArgumentException(
          "passwordEnv: '" + Limits.printable(name) + "' is not an environment variable name");
    }
    String value = env.apply(name);
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(
          "passwordEnv: the environment variable " + name + " is not set (or set passwordFile)");
    }
    return value;
  }

  private static String checkUrl(String url) {
    String u = url == null ? "" : url.trim();
    if (!URL.matcher(u).matches()) {
      // not echoed: a malformed URL may hold a password (user:password@host)
      throw new IllegalArgumentException(
          "url: expected jdbc:postgresql://host:port/database[?parameters]"
              + " (the value given is not shown)");
    }
    int q = u.indexOf('?');
    if (q >= 0) {
      for (String param : u.substring(q + 1).split("&")) {
        String name = param.split("=", 2)[0].toLowerCase(Locale.ROOT);
        if (URL_SECRETS.contains(name)) {
          throw new IllegalArgumentException(
              "url: must not carry '"
                  + name
                  + "' (set user, and passwordFile or passwordEnv); the value is not shown");
        }
      }
    }
    return u;
  }

  private static String checkSchema(String s) {
    String v = s == null ? "" : s.trim();
    if (!SCHEMA.matcher(v).matches() || v.startsWith("pg_")) {
      throw new IllegalArgumentException(
          "schema: '"
              + Limits.printable(s)
              + "' must be 1-63 lower-case letters, digits or '_', not starting with a digit or pg_");
    }
    return v;
  }

  private static String required(String field, String v) {
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException(field + ": is required");
    }
    return v.trim();
  }

  private static int range(String field, int v, int min, int max) {
    if (v < min || v > max) {
      throw new IllegalArgumentException(
          field + ": must be between " + min + " and " + max + ", was " + v);
    }
    return v;
  }

  @Override
  public String toString() {
    return "PgSettings["
        + url
        + " user="
        + user
        + " schema="
        + schema
        + " pool="
        + poolSize
        + " sslmode="
        + sslMode
        + (sslRootCert != null ? " ca=" + sslRootCert : "")
        + " connect="
        + connectTimeout.toMillis()
        + "ms statement="
        + statementTimeout.toMillis()
        + "ms password=<redacted>]";
  }

  /**
   * Collects raw settings; {@link #build()} validates them and throws {@link
   * IllegalArgumentException}.
   */
  static final class Builder {
    private String url;
    private String user;
    private String passwordFile;
    private String passwordEnv = "PGPASSWORD";
    private String schema = "openkcm_keystore";
    private int poolSize = 10;
    private String sslMode = "verify-full";
    private String sslRootCert;
    private int connectTimeoutMillis = 2000;
    private int statementTimeoutMillis = 5000;
    private int maxRecordBytes = 65536;

    Builder url(String v) {
      this.url = v;
      return this;
    }

    Builder user(String v) {
      this.user = v;
      return this;
    }

    Builder passwordFile(String v) {
      this.passwordFile = v;
      return this;
    }

    Builder passwordEnv(String v) {
      this.passwordEnv = v;
      return this;
    }

    Builder schema(String v) {
      this.schema = v;
      return this;
    }

    Builder poolSize(int v) {
      this.poolSize = v;
      return this;
    }

    Builder maxRecordBytes(int v) {
      this.maxRecordBytes = v;
      return this;
    }

    Builder tls(String mode, String rootCert) {
      this.sslMode = mode;
      this.sslRootCert = rootCert;
      return this;
    }

    Builder timeouts(int connectMillis, int statementMillis) {
      this.connectTimeoutMillis = connectMillis;
      this.statementTimeoutMillis = statementMillis;
      return this;
    }

    PgSettings build() {
      return build(System::getenv);
    }

    /**
     * @param env where environment variables are read (tests pass a map)
     */
    PgSettings build(UnaryOperator<String> env) {
      return new PgSettings(this, env);
    }
  }
}
