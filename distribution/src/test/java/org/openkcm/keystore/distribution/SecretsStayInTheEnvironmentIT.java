package org.openkcm.keystore.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.openbao.testing.OpenBaoServer;

/**
 * The runtime on a real OpenBao with its token in the environment: the token is written nowhere
 * under the runtime folder (ConfigAdmin's store in the Felix cache, FileInstall's etc/, conf/) and
 * never printed, and a Web Console edit of the OpenBao configuration that lists only another
 * address neither drops the token nor sends it elsewhere: the environment wins, keys keep being
 * stored in the OpenBao the environment names.
 */
class SecretsStayInTheEnvironmentIT {
  private static final String USER = "e2e-operator";

  @Test
  void theTokenIsNeverPersistedAndAConsoleEditCanNeitherDropNorRedirectIt() throws Exception {
    String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
    Path repo = Paths.get(System.getProperty("e2e.repo", "..")).toAbsolutePath().normalize();
    Path built = Paths.get(System.getProperty("e2e.runtime", "target/runtime")).toAbsolutePath();
    Path work =
        Paths.get(System.getProperty("e2e.target", "target"))
            .toAbsolutePath()
            .resolve("e2e-secrets");
    RuntimeEndToEndIT.deleteTree(work);
    Files.createDirectories(work);
    try (OpenBaoServer bao = OpenBaoServer.startDev();
        RuntimeProcess runtime =
            new RuntimeProcess(
                repo,
                built,
                work,
                Map.of(
                    "OPENKCM_CONSOLE_USER",
                    USER,
                    "OPENKCM_CONSOLE_PASSWORD",
                    password,
                    "BAO_ADDR",
                    bao.address(),
                    "BAO_TOKEN",
                    bao.rootToken()))) {
      ConsoleClient console = new ConsoleClient(runtime.port);
      await("console ready")
          .atMost(RuntimeEndToEndIT.START_TIMEOUT)
          .pollInterval(Duration.ofMillis(50))
          .until(
              () ->
                  !runtime.alive()
                      || console.status("/system/console/keystore", USER, password) == 200);
      await("openbao UP")
          .atMost(Duration.ofSeconds(60))
          .until(() -> runtime.output().matches("(?s).*\\n\\s+openbao UP.*"));
      createL2(runtime, "secret-1");

      String requestToken = console.requestToken("/system/console/configMgr", USER, password);
      int mark = runtime.lineCount();
      int elsewhere = OpenBaoServer.freeLoopbackPort();
      var edit =
          console.post(
              "/system/console/configMgr/org.openkcm.keystore.openbao",
              USER,
              password,
              "apply=true&action=ajaxConfigManager&propertylist=address&address=http://127.0.0.1:"
                  + elsewhere,
              "http://127.0.0.1:" + runtime.port,
              requestToken);
      assertThat(edit.statusCode()).as(edit.body()).isBetween(200, 399);
      // the bridge restores its configuration at once; should the backend see the edit meanwhile,
      // BAO_ADDR wins
      await("the edit undone by the bridge")
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  runtime
                      .outputSince(mark)
                      .contains("Configuration org.openkcm.keystore.openbao was changed outside"));
      await("the backend active again")
          .atMost(Duration.ofSeconds(30))
          .until(() -> runtime.outputSince(mark).contains("OpenBao backend active"));
      assertThat(configJson(console, password)).doesNotContain("127.0.0.1:" + elsewhere);
      createL2(runtime, "secret-2");

      assertThat(filesContaining(runtime.runtimeDir, bao.rootToken()))
          .as("files under the runtime folder holding the token")
          .isEmpty();
      assertThat(runtime.output()).doesNotContain(bao.rootToken()).doesNotContain(password);
    }
  }

  private static String configJson(ConsoleClient console, String password)
      throws IOException, InterruptedException {
    return console
        .get("/system/console/configMgr/org.openkcm.keystore.openbao.json", USER, password)
        .body();
  }

  /**
   * An L2 key goes to OpenBao: its creation proves the runtime reaches OpenBao with a working
   * token.
   */
  private static void createL2(RuntimeProcess runtime, String id) {
    int mark = runtime.lineCount();
    runtime.shell("keystore:create L2 tenant:secrets id=" + id);
    await(id + " created")
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                runtime.outputSince(mark).contains(id)
                    || runtime.outputSince(mark).contains("error:"));
    assertThat(runtime.outputSince(mark)).doesNotContain("error:");
  }

  private static List<Path> filesContaining(Path dir, String secret) throws IOException {
    byte[] needle = secret.getBytes(StandardCharsets.UTF_8);
    try (Stream<Path> all = Files.walk(dir)) {
      return all.filter(Files::isRegularFile)
          .filter(
              p -> {
                try {
                  return indexOf(Files.readAllBytes(p), needle) >= 0;
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              })
          .toList();
    }
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
