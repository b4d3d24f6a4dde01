package org.openkcm.keystore.openbao.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OpenBao's environment beats the configuration: a console or .cfg edit that lists only the address
 * neither drops the environment's token nor redirects it, and the token can come from a file.
 */
class BaoEnvironmentTest {

  private static BaoSettings settings(
      Map<String, String> env, String configuredAddress, String configuredToken) {
    return new BaoEnvironment(env)
        .apply(
            BaoSettings.builder().mount("secret").address(configuredAddress).token(configuredToken),
            configuredAddress)
        .build();
  }

  @Test
  void aConsoleEditCanNeitherDropNorRedirectTheEnvironmentsToken() {
    Map<String, String> env =
        Map.of("BAO_ADDR", "http://127.0.0.1:8200", "BAO_TOKEN", "s.env-token");
    BaoSettings edited = settings(env, "http://127.0.0.1:6666", null);
    assertThat(edited.address.toString()).isEqualTo("http://127.0.0.1:8200");
    assertThat(edited.token).isEqualTo("s.env-token");
    assertThat(edited.toString()).doesNotContain("s.env-token");
  }

  @Test
  void theNodesOfAClusterAreGivenCommaSeparatedInTheEnvironmentOrTheConfiguration() {
    BaoSettings env =
        settings(
            Map.of(
                "BAO_ADDR", "http://127.0.0.1:8200, http://127.0.0.1:8210,http://10.0.0.3:8200/"),
            null,
            "s.t");
    assertThat(env.addresses)
        .extracting(Object::toString)
        .containsExactly("http://127.0.0.1:8200", "http://127.0.0.1:8210", "http://10.0.0.3:8200");
    assertThat(env.address.toString()).isEqualTo("http://127.0.0.1:8200");
    assertThat(env.toString()).contains("http://127.0.0.1:8210").doesNotContain("s.t]");
    assertThat(settings(Map.of(), "https://a:8200,https://b:8200", "s.t").addresses).hasSize(2);
    assertThatThrownBy(() -> settings(Map.of(), "https://a:8200,http://b:8200", "s.t"))
        .hasMessageContaining("same scheme");
    assertThatThrownBy(() -> settings(Map.of(), "http://a:8200,http://a:8200", "s.t"))
        .hasMessageContaining("twice");
    assertThatThrownBy(() -> settings(Map.of(), "http://a:8200,,http://b:8200", "s.t"))
        .hasMessageContaining("address");
  }

  @Test
  void withoutTheEnvironmentTheConfigurationIsUsed() {
    BaoSettings s = settings(Map.of(), "http://127.0.0.1:8300", "s.configured");
    assertThat(s.address.toString()).isEqualTo("http://127.0.0.1:8300");
    assertThat(s.token).isEqualTo("s.configured");
  }

  @Test
  void theTokenMayComeFromAFileWhoseContentIsNeverShown(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("token");
    Files.writeString(file, "s.from-file\n");
    assertThat(
            settings(Map.of("BAO_TOKEN_FILE", file.toString()), "http://127.0.0.1:8200", null)
                .token)
        .isEqualTo("s.from-file");
    Files.writeString(file, "  \n");
    assertThatThrownBy(
            () ->
                settings(Map.of("BAO_TOKEN_FILE", file.toString()), "http://127.0.0.1:8200", null))
        .hasMessageContaining("BAO_TOKEN_FILE")
        .hasMessageContaining("empty");
    assertThatThrownBy(
            () ->
                settings(
                    Map.of("BAO_TOKEN_FILE", dir.resolve("missing").toString()),
                    "http://127.0.0.1:8200",
                    null))
        .hasMessageContaining("cannot read");
  }
}
