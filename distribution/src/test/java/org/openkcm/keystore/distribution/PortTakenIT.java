package org.openkcm.keystore.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Another program holds the console port: the runtime says so in one line naming the port and
 * OPENKCM_HTTP_PORT, exits non-zero, and never prints a banner pointing at the other program.
 */
class PortTakenIT {

  @Test
  void aTakenPortIsOneClearMessageAndANonZeroExit() throws Exception {
    Path repo = Paths.get(System.getProperty("e2e.repo", "..")).toAbsolutePath().normalize();
    Path built = Paths.get(System.getProperty("e2e.runtime", "target/runtime")).toAbsolutePath();
    Path work =
        Paths.get(System.getProperty("e2e.target", "target"))
            .toAbsolutePath()
            .resolve("e2e-port-taken");
    RuntimeEndToEndIT.deleteTree(work);
    Files.createDirectories(work);
    try (ServerSocket other = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        RuntimeProcess runtime =
            new RuntimeProcess(
                repo,
                built,
                work,
                Map.of(
                    "OPENKCM_KEYSTORE_DEV",
                    "true",
                    "OPENKCM_HTTP_PORT",
                    String.valueOf(other.getLocalPort())))) {
      await("the runtime ends")
          .atMost(RuntimeEndToEndIT.START_TIMEOUT)
          .pollInterval(Duration.ofMillis(100))
          .until(() -> !runtime.alive());
      int exit = runtime.exitValue();
      String out = runtime.output();
      assertThat(exit).as(out).isNotZero();
      assertThat(out)
          .contains("port " + other.getLocalPort() + " on 127.0.0.1 is already in use")
          .contains("OPENKCM_HTTP_PORT")
          .doesNotContain("== OpenKCM Keystore ==")
          .doesNotContain("Console:")
          .doesNotContain("BindException")
          .doesNotContain("NullPointerException");
      assertThat(out.lines().filter(l -> l.contains("refuses to start"))).hasSize(1);
    }
  }
}
