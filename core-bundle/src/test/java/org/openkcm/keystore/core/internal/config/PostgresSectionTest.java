package org.openkcm.keystore.core.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.model.InvalidConfigurationException;

/**
 * config.yaml {@code backends.postgres} reaches its PID typed; a password there (or in the
 * environment) is refused, unquoted.
 */
class PostgresSectionTest {
  private static Map<String, Map<String, Object>> translate(String yaml, Map<String, String> env)
      throws InvalidConfigurationException {
    return ConfigTranslator.translate(
        YamlConfigReader.read(yaml), env, FieldCatalog.NONE, InstalledSections.all());
  }

  @Test
  void theSectionGoesToThePostgresPidWithTypedValues() throws Exception {
    Map<String, Map<String, Object>> pids =
        translate(
            """
                backends:
                  postgres:
                    url: jdbc:postgresql://db.internal:5432/keystore
                    user: keystore
                    passwordFile: /run/secrets/db
                    poolSize: 16
                    sslMode: verify-full
                    sslRootCert: /etc/ssl/db-ca.pem
                    schema: ks
                """,
            Map.of("OPENKCM_KEYSTORE_BACKENDS_POSTGRES_POOL_SIZE", "24"));
    assertThat(pids.get("org.openkcm.keystore.postgres"))
        .containsEntry("url", "jdbc:postgresql://db.internal:5432/keystore")
        .containsEntry("user", "keystore")
        .containsEntry("passwordFile", "/run/secrets/db")
        .containsEntry("poolSize", 24)
        .containsEntry("sslMode", "verify-full")
        .containsEntry("schema", "ks")
        .doesNotContainKey("password");
  }

  @Test
  void aPasswordIsRefusedFromTheFileAndFromTheEnvironmentWithoutEchoingIt() {
    assertThatThrownBy(
            () ->
                translate(
                    "backends:\n  postgres:\n    url: jdbc:postgresql://db/ks\n    password: hunter2\n",
                    Map.of()))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("backends.postgres.password")
        .hasMessageContaining("passwordFile")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
    assertThatThrownBy(
            () ->
                translate(
                    "backends:\n  postgres:\n    url: jdbc:postgresql://db/ks\n",
                    Map.of("OPENKCM_KEYSTORE_BACKENDS_POSTGRES_PASSWORD", "hunter2")))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("OPENKCM_KEYSTORE_BACKENDS_POSTGRES_PASSWORD")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
  }
}
