package org.openkcm.keystore.pluginhost.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each way a plugin can fail to start gives one clear error and registers nothing; the process is
 * not left running, and a second, healthy plugin in the same host is not disturbed.
 */
class PluginLaunchFailureTest {
  @TempDir Path dir;

  private String failureOf(PluginSettings s) {
    String error;
    PluginFixture f = new PluginFixture().start(s);
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> f.supervisor.lastError() != null);
      error = f.supervisor.lastError();
      assertThat(f.registrations.get()).as("nothing registered").isZero();
    } finally {
      f.close();
    }
    assertThat(PluginFixture.running(s.path())).as("no process left").isEmpty();
    return error;
  }

  private PluginSettings scripted(String body, Duration startTimeout) throws Exception {
    Path p = PluginFixture.script(dir, "bad-" + Math.abs(body.hashCode()), body);
    return PluginFixture.settings("bad", p, List.of(), Map.of(), startTimeout, "");
  }

  @Test
  void aChecksumMismatchRunsNothing() throws Exception {
    Path marker = dir.resolve("ran");
    PluginSettings good = scripted("touch " + marker + "\nsleep 30", Duration.ofSeconds(5));
    Files.writeString(
        good.path(),
        "\n",
        java.nio.file.StandardOpenOption.APPEND); // the file changed after the entry was written
    assertThat(failureOf(good)).contains("checksum mismatch").contains(good.path().toString());
    assertThat(marker).as("the changed binary never ran").doesNotExist();
  }

  @Test
  void aMissingExecutable() throws Exception {
    PluginSettings s = PluginFixture.bbolt("bad", dir.resolve("db"));
    PluginSettings missing =
        new PluginSettings(
            s.name(),
            dir.resolve("nope"),
            s.args(),
            s.env(),
            s.checksum(),
            s.logLevel(),
            s.tags(),
            false,
            "",
            s.startTimeout(),
            s.callTimeout(),
            s.healthInterval(),
            s.maxBackoff());
    assertThat(failureOf(missing)).contains("is missing or not a regular file");
  }

  @Test
  void anythingPrintedBeforeTheHandshake() throws Exception {
    assertThat(failureOf(scripted("echo hello from the plugin\nsleep 30", Duration.ofSeconds(5))))
        .contains("did not print a go-plugin handshake line")
        .doesNotContain("hello");
  }

  @Test
  void aHandshakeOverTcpOrNetRpcOrWithoutCertificate() throws Exception {
    assertThat(
            failureOf(
                scripted("echo '1|1|tcp|127.0.0.1:1234|grpc|'\nsleep 30", Duration.ofSeconds(5))))
        .contains("Unix domain sockets only");
    assertThat(
            failureOf(
                scripted("echo '1|1|unix|/tmp/x.sock|netrpc|'\nsleep 30", Duration.ofSeconds(5))))
        .contains("grpc only");
    assertThat(
            failureOf(
                scripted("echo '1|1|unix|/tmp/x.sock|grpc|'\nsleep 30", Duration.ofSeconds(5))))
        .contains("AutoMTLS");
    assertThat(
            failureOf(
                scripted(
                    "echo '1|1|unix|/tmp/x.sock|grpc|bm90IGEgY2VydA'\nsleep 30",
                    Duration.ofSeconds(5))))
        .contains("not a valid X.509 certificate");
    assertThat(
            failureOf(
                scripted("echo '1|2|unix|/tmp/x.sock|grpc|'\nsleep 30", Duration.ofSeconds(5))))
        .contains("protocol version 2");
  }

  @Test
  void aPluginThatNeverAnswers() throws Exception {
    assertThat(failureOf(scripted("sleep 30", Duration.ofSeconds(1)))).contains("never answered");
  }

  @Test
  void aPluginThatExitsAtOnce() throws Exception {
    assertThat(failureOf(scripted("exit 3", Duration.ofSeconds(5))))
        .contains("before the handshake");
  }

  @Test
  void aRejectedYamlConfiguration() throws Exception {
    PluginSettings s = PluginFixture.bbolt("bad", dir.resolve("db"));
    PluginSettings yaml =
        new PluginSettings(
            s.name(),
            s.path(),
            s.args(),
            s.env(),
            s.checksum(),
            s.logLevel(),
            s.tags(),
            false,
            "token: abc\n",
            s.startTimeout(),
            s.callTimeout(),
            s.healthInterval(),
            s.maxBackoff());
    assertThat(failureOf(yaml))
        .contains("rejected its yamlConfiguration")
        .contains("unknown setting");
  }

  @Test
  void aFailingPluginDoesNotDisturbAHealthyOne() throws Exception {
    try (PluginFixture good =
        new PluginFixture().start(PluginFixture.bbolt("good", dir.resolve("good.db")))) {
      good.awaitRegistered().store(PluginSupervisionTest.md("ok"), new byte[] {1});
      assertThat(failureOf(scripted("echo garbage\nsleep 30", Duration.ofSeconds(5))))
          .contains("handshake");
      assertThat(
              good.registered
                  .get()
                  .retrieve(org.openkcm.keystore.model.KeyRef.of("ok", 1))
                  .sealed())
          .containsExactly(1);
      assertThat(good.registrations.get()).isEqualTo(1);
    }
  }
}
