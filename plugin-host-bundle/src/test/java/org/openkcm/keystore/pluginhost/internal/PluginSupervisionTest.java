package org.openkcm.keystore.pluginhost.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.model.OwnerType;
import org.openkcm.keystore.spi.Keystore;

/** Crash, hang and stop of the real reference plugin under the supervisor. */
class PluginSupervisionTest {
  @TempDir Path dir;

  static KeyMetadata md(String id) throws Exception {
    Instant now = Instant.now();
    return KeyMetadata.builder()
        .ref(KeyRef.of(id, 1))
        .tier(KeyTier.L2)
        .algorithm("AES-256-GCM")
        .keySize(256)
        .status(KeyStatus.ACTIVE)
        .owner(Owner.of(OwnerType.TENANT, "acme"))
        .createdAt(now)
        .updatedAt(now)
        .build();
  }

  static byte[] sealed(String id) {
    return ("sealed:" + id).getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void killDashNineUnderLoadGivesOnlyTypedErrorsRestartsAndLosesNoAcknowledgedWrite()
      throws Exception {
    try (PluginFixture f =
        new PluginFixture().start(PluginFixture.bbolt("bbolt", dir.resolve("ks.db")))) {
      f.awaitRegistered();
      long firstPid = f.pid();
      Map<String, Boolean> acked = new ConcurrentHashMap<>();
      ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
      AtomicInteger unavailable = new AtomicInteger();
      AtomicBoolean run = new AtomicBoolean(true);
      ExecutorService writers = Executors.newFixedThreadPool(4);
      for (int w = 0; w < 4; w++) {
        int worker = w;
        writers.submit(
            () -> {
              for (int i = 0; run.get(); i++) {
                String id = "kill-" + worker + "-" + i;
                Keystore k = f.registered.get();
                if (k == null) {
                  unavailable.incrementAndGet(); // absent: the core would wait absentWait, then
                  // BackendUnavailable
                  Thread.onSpinWait();
                  continue;
                }
                try {
                  k.store(md(id), sealed(id));
                  acked.put(id, true);
                } catch (BackendUnavailableException e) {
                  unavailable.incrementAndGet();
                } catch (Throwable t) {
                  unexpected.add(t);
                }
              }
            });
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> acked.size() >= 100);
      ProcessHandle.of(firstPid).orElseThrow().destroyForcibly(); // SIGKILL
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> f.registered.get() != null && f.pid() != firstPid && f.pid() > 0);
      int before = acked.size();
      await().atMost(Duration.ofSeconds(30)).until(() -> acked.size() >= before + 100);
      run.set(false);
      writers.shutdown();
      assertThat(writers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

      assertThat(unexpected).as("only BackendUnavailable may reach a caller").isEmpty();
      assertThat(f.registrations.get())
          .as("re-registered after the restart")
          .isGreaterThanOrEqualTo(2);
      assertThat(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
      Keystore after = f.registered.get();
      for (String id : acked.keySet()) {
        assertThat(after.retrieve(KeyRef.of(id, 1)).sealed()).as(id).isEqualTo(sealed(id));
      }
    }
  }

  @Test
  void aHungPluginGivesBackendUnavailableAndIsKilledAndRestarted() throws Exception {
    try (PluginFixture f =
        new PluginFixture().start(PluginFixture.bbolt("bbolt", dir.resolve("ks.db")))) {
      Keystore k = f.awaitRegistered();
      k.store(md("hang"), sealed("hang"));
      long pid = f.pid();
      assertThat(new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start().waitFor())
          .isZero();

      assertThatThrownBy(() -> k.retrieve(KeyRef.of("hang", 1)))
          .isInstanceOf(BackendUnavailableException.class)
          .hasMessageContaining("'bbolt'")
          .hasMessageContaining("deadline");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> f.registered.get() != null && f.pid() != pid && f.pid() > 0);
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
          .as("the hung process was killed")
          .isFalse();
      assertThat(f.registered.get().retrieve(KeyRef.of("hang", 1)).sealed())
          .isEqualTo(sealed("hang"));
    }
  }

  @Test
  void stopShutsThePluginDownAndUnregistersIt() throws Exception {
    PluginFixture f = new PluginFixture().start(PluginFixture.bbolt("bbolt", dir.resolve("ks.db")));
    Keystore k = f.awaitRegistered();
    long pid = f.pid();
    f.close();
    assertThat(f.registered.get()).isNull();
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(PluginFixture.running(PluginFixture.BINARY)).isEmpty();
    assertThatThrownBy(() -> k.retrieve(KeyRef.of("x", 1)))
        .isInstanceOf(BackendUnavailableException.class);
  }

  @Test
  void theRegistrationCarriesNameRankingAndTags() throws Exception {
    try (PluginFixture f =
        new PluginFixture().start(PluginFixture.bbolt("bbolt-b", dir.resolve("ks.db")))) {
      Keystore k = f.awaitRegistered();
      assertThat(k.info().name()).isEqualTo("bbolt-b");
      assertThat(k.info().persistent()).isTrue();
      assertThat(k.info().maxRecordBytes()).as("from the yamlConfiguration").isEqualTo(65536);
      assertThat(f.properties.get(0))
          .containsEntry(Keystore.BACKEND_PROPERTY, "bbolt-b")
          .containsKey("service.ranking");
      assertThat((String[]) f.properties.get(0).get("keystore.plugin.tags"))
          .containsExactly("test");
    }
  }

  @Test
  void thePluginEnvironmentIsEmptyBesidesTheEntryAndTheHandshake() throws Exception {
    Path out = dir.resolve("env.txt");
    Path script = PluginFixture.script(dir, "env-plugin", "/usr/bin/env > \"$DUMP\"\nexit 1");
    try (PluginFixture f =
        new PluginFixture()
            .start(
                PluginFixture.settings(
                    "envcheck",
                    script,
                    List.of(),
                    Map.of("DUMP", out.toString()),
                    Duration.ofSeconds(5),
                    ""))) {
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> Files.exists(out) && Files.size(out) > 0 && f.supervisor.lastError() != null);
      assertThat(System.getenv("BAO_TOKEN"))
          .as("the JVM has the secret (surefire sets it)")
          .isNotNull();
      List<String> names =
          Files.readAllLines(out).stream()
              .map(l -> l.substring(0, Math.max(0, l.indexOf('='))))
              .toList();
      assertThat(names)
          .doesNotContain("BAO_TOKEN", "OPENKCM_KEYSTORE_MASTER_KEY", "PATH", "HOME")
          .contains(
              "DUMP",
              "KeystoreOperations",
              "PLUGIN_PROTOCOL_VERSIONS",
              "PLUGIN_CLIENT_CERT",
              "PLUGIN_UNIX_SOCKET_DIR");
      assertThat(Files.readString(out)).doesNotContain("s.jvm-only-token", "jvm-only-master-key");
      assertThat(f.registrations.get()).isZero();
    }
  }
}
