package org.openkcm.keystore.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Production without a shell: {@code ./run.sh --no-shell} ({@code OPENKCM_SHELL=off}) starts the
 * runtime with Gogo told never to read commands, even with a stdin to read from, while the console
 * serves.
 */
class ShellOffIT {

  @Test
  void noShellMeansGogoReadsNoCommands() throws Exception {
    String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
    Path repo = Paths.get(System.getProperty("e2e.repo", "..")).toAbsolutePath().normalize();
    Path built = Paths.get(System.getProperty("e2e.runtime", "target/runtime")).toAbsolutePath();
    Path work =
        Paths.get(System.getProperty("e2e.target", "target"))
            .toAbsolutePath()
            .resolve("e2e-shell-off");
    RuntimeEndToEndIT.deleteTree(work);
    Files.createDirectories(work);
    try (RuntimeProcess runtime =
        new RuntimeProcess(
            repo,
            built,
            work,
            Map.of(
                "OPENKCM_CONSOLE_USER",
                "ops",
                "OPENKCM_CONSOLE_PASSWORD",
                password,
                "OPENKCM_SHELL",
                "off"))) {
      ConsoleClient console = new ConsoleClient(runtime.port);
      await("console ready")
          .atMost(RuntimeEndToEndIT.START_TIMEOUT)
          .pollInterval(Duration.ofMillis(50))
          .until(
              () ->
                  !runtime.alive()
                      || console.status("/system/console/keystore", "ops", password) == 200);
      String cmdline =
          new String(
                  Files.readAllBytes(Path.of("/proc/" + runtime.pid() + "/cmdline")),
                  StandardCharsets.UTF_8)
              .replace('\0', ' ');
      assertThat(cmdline).contains("-Dgosh.args=--nointeractive").contains("felix.jar");
      assertThat(runtime.output()).doesNotContain("g! ");
    }
  }
}
