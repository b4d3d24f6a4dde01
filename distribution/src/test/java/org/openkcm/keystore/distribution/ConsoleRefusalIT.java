package org.openkcm.keystore.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The runtime refuses to start with the default admin/admin console login (or none at all) unless
 * the development flag is set, and the development flag never on a non-loopback address: ./run.sh
 * exits with status 78 and says why, and the console never answered.
 */
class ConsoleRefusalIT {

  static Stream<Arguments> refusedEnvironments() {
    return Stream.of(
        Arguments.of("no credentials", Map.of(), "no console credentials"),
        Arguments.of(
            "admin/admin",
            Map.of("OPENKCM_CONSOLE_USER", "admin", "OPENKCM_CONSOLE_PASSWORD", "admin"),
            "the default admin/admin console login is only allowed with OPENKCM_KEYSTORE_DEV=true"),
        Arguments.of("user only", Map.of("OPENKCM_CONSOLE_USER", "ops"), "set both"),
        Arguments.of(
            "dev on a public address",
            Map.of("OPENKCM_KEYSTORE_DEV", "true", "OPENKCM_HTTP_HOST", "0.0.0.0"),
            "development mode (OPENKCM_KEYSTORE_DEV=true) only listens on loopback"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedEnvironments")
  void refusesToStart(String name, Map<String, String> env, String reason) throws Exception {
    Path repo = Paths.get(System.getProperty("e2e.repo", "..")).toAbsolutePath().normalize();
    Path built = Paths.get(System.getProperty("e2e.runtime", "target/runtime")).toAbsolutePath();
    Path work =
        Paths.get(System.getProperty("e2e.target", "target"))
            .toAbsolutePath()
            .resolve("e2e-refusal")
            .resolve(name.replace('/', '-').replace(' ', '-'));
    RuntimeEndToEndIT.deleteTree(work);
    Files.createDirectories(work);
    try (RuntimeProcess runtime = new RuntimeProcess(repo, built, work, env)) {
      ConsoleClient console = new ConsoleClient(runtime.port);
      await("runtime exits")
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> {
                assertThat(console.status("/system/console/keystore", "admin", "admin"))
                    .as("never serves admin/admin")
                    .isNotEqualTo(200);
                return !runtime.alive();
              });
      assertThat(runtime.exitValue()).isEqualTo(78);
      assertThat(runtime.output()).contains("OpenKCM Keystore refuses to start: " + reason);
    }
  }
}
