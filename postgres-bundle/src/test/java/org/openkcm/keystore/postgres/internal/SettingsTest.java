package org.openkcm.keystore.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The password comes from a file or the environment only, and never shows up in a setting, message
 * or toString.
 */
class SettingsTest {
  @TempDir Path dir;

  private PgSettings.Builder base() {
    return PgSettings.builder().url("jdbc:postgresql://127.0.0.1:5432/keystore").user("ks");
  }

  @Test
  void passwordFromFileFirstLineOnly() throws Exception {
    Path f = dir.resolve("pw");
    Files.writeString(f, "s3cret-from-file\nignored\n");
    PgSettings s = base().passwordFile(f.toString()).build(n -> "from-env");
    assertThat(s.password()).isEqualTo("s3cret-from-file");
    assertThat(s.toString()).doesNotContain("s3cret").contains("password=<redacted>");
  }

  @Test
  void passwordFromTheNamedEnvironmentVariable() {
    PgSettings s =
        base().passwordEnv("KS_PG_PW").build(n -> n.equals("KS_PG_PW") ? "s3cret-env" : null);
    assertThat(s.password()).isEqualTo("s3cret-env");
    assertThat(s.toString()).doesNotContain("s3cret");
  }

  @Test
  void missingPasswordNamesTheSourceNotAValue() {
    assertThatThrownBy(() -> base().build(n -> null))
        .hasMessageContaining("PGPASSWORD")
        .hasMessageContaining("passwordFile");
    assertThatThrownBy(() -> base().passwordFile(dir.resolve("absent").toString()).build(n -> null))
        .hasMessageContaining("passwordFile");
  }

  @Test
  void aUrlCarryingAPasswordIsRefusedWithoutQuotingIt() {
    assertThatThrownBy(
            () -> base().url("jdbc:postgresql://db:5432/ks?password=hunter2").build(n -> "x"))
        .hasMessageContaining("password")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
    assertThatThrownBy(() -> base().url("jdbc:postgresql://u:hunter2@db/ks").build(n -> "x"))
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
    assertThatThrownBy(() -> base().url("jdbc:mysql://db/ks").build(n -> "x"))
        .hasMessageContaining("url");
  }

  @Test
  void aPasswordInTheConfigurationIsRefused() {
    PostgresConfig c = ConfigStub.defaults();
    assertThatThrownBy(() -> PgSettings.from(c, Map.of("password", "hunter2")))
        .hasMessageContaining("never taken from the configuration")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
  }

  @Test
  void badSchemaNamesAndModesAreRefused() {
    assertThatThrownBy(() -> base().schema("x; DROP TABLE y").build(n -> "p"))
        .hasMessageContaining("schema");
    assertThatThrownBy(() -> base().schema("pg_catalog").build(n -> "p"))
        .hasMessageContaining("schema");
    assertThatThrownBy(() -> base().tls("verify-everything", null).build(n -> "p"))
        .hasMessageContaining("sslMode");
    assertThat(base().build(n -> "p").sslMode)
        .as("TLS verification is the default")
        .isEqualTo("verify-full");
  }

  /** A PostgresConfig with its defaults, as DS would build from an empty configuration. */
  static final class ConfigStub {
    static PostgresConfig defaults() {
      return (PostgresConfig)
          java.lang.reflect.Proxy.newProxyInstance(
              PostgresConfig.class.getClassLoader(),
              new Class<?>[] {PostgresConfig.class},
              (proxy, m, args) -> m.getDefaultValue());
    }
  }
}
