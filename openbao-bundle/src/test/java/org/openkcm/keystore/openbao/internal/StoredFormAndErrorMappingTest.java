package org.openkcm.keystore.openbao.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.openkcm.keystore.openbao.internal.Fixtures.keystore;
import static org.openkcm.keystore.openbao.internal.Fixtures.l2;
import static org.openkcm.keystore.openbao.internal.Fixtures.sealed;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.ServerSocket;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.ConcurrentUpdateException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyNotFoundException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.model.PermissionDeniedException;
import org.openkcm.keystore.openbao.testing.OpenBaoServer;
import org.openkcm.keystore.spi.BackendState;

/**
 * What OpenBao holds, read with the real CLI; and every error answer mapped to its typed exception.
 */
class StoredFormAndErrorMappingTest {
  private static OpenBaoServer bao;

  @BeforeAll
  static void startBao() {
    bao = OpenBaoServer.startDev();
  }

  @AfterAll
  static void stopBao() {
    bao.close();
  }

  @Test
  void bao_kv_get_showsTheSealedBytesAsHandedInTheMetadataAndNothingElse() throws Exception {
    OpenBaoKeystore ks = keystore(bao, "cli");
    KeyMetadata m =
        KeyMetadata.builder()
            .ref(KeyRef.of("svc-key", 2))
            .tier(KeyTier.L3)
            .owner(Owner.service("payments"))
            .parent(KeyRef.of("tenant-key", 1))
            .expiresAt(Instant.parse("2027-03-01T00:00:00Z"))
            .tag("region", "eu-1")
            .build();
    byte[] sealed = sealed(120);
    ks.store(m, sealed);
    ks.updateMetadata(m.toBuilder().status(KeyStatus.DEPRECATED).build(), 1);

    JsonObject got =
        JsonParser.parseString(
                bao.cliOk(
                    "kv", "get", "-format=json", "-mount=secret", "cli/keys/svc-key,0000000002"))
            .getAsJsonObject();
    JsonObject data = got.getAsJsonObject("data").getAsJsonObject("data");
    assertThat(data.keySet())
        .containsExactlyInAnyOrder(
            "format",
            "key_id",
            "key_version",
            "tier",
            "owner",
            "algorithm",
            "key_size",
            "status",
            "created_at",
            "updated_at",
            "expires_at",
            "parent",
            "tags",
            "sealed");
    assertThat(data.get("sealed").getAsString())
        .isEqualTo(Base64.getEncoder().encodeToString(sealed));
    assertThat(data.get("owner").getAsString()).isEqualTo("service:payments");
    assertThat(data.get("tier").getAsString()).isEqualTo("L3");
    assertThat(data.get("status").getAsString()).isEqualTo("DEPRECATED");
    assertThat(data.get("parent").getAsString()).isEqualTo("tenant-key@1");
    assertThat(data.get("expires_at").getAsString()).isEqualTo("2027-03-01T00:00:00Z");
    assertThat(data.getAsJsonObject("tags").get("region").getAsString()).isEqualTo("eu-1");

    JsonObject kvMeta = got.getAsJsonObject("data").getAsJsonObject("metadata");
    assertThat(kvMeta.get("version").getAsInt()).isEqualTo(2);
    JsonObject custom = kvMeta.getAsJsonObject("custom_metadata");
    assertThat(custom.get("owner").getAsString()).isEqualTo("service:payments");
    assertThat(custom.get("tier").getAsString()).isEqualTo("L3");
    assertThat(custom.get("status").getAsString()).isEqualTo("DEPRECATED");
    assertThat(custom.get("algorithm").getAsString()).isEqualTo("AES-256");
    assertThat(custom.get("expires_at").getAsString()).isEqualTo("2027-03-01T00:00:00Z");
    assertThat(custom.get("tag.region").getAsString()).isEqualTo("eu-1");
    assertThat(custom.toString())
        .doesNotContain(Base64.getEncoder().encodeToString(sealed).substring(0, 16));

    JsonObject md =
        JsonParser.parseString(
                bao.cliOk(
                    "kv",
                    "metadata",
                    "get",
                    "-format=json",
                    "-mount=secret",
                    "cli/keys/svc-key,0000000002"))
            .getAsJsonObject()
            .getAsJsonObject("data");
    assertThat(md.get("cas_required").getAsBoolean()).as("operators must use cas too").isTrue();
    ks.deactivate();
  }

  @Test
  void healthTellsARejectedTokenAndATooNarrowPolicyApartFromUp() throws Exception {
    OpenBaoKeystore good = keystore(bao, "acc");
    assertThat(good.health().state()).isEqualTo(BackendState.UP);

    String wrong = "s.wrong-" + Long.toHexString(System.nanoTime());
    OpenBaoKeystore wrongToken =
        new OpenBaoKeystore(Fixtures.settings(bao).token(wrong).build(), "acc", 65536);
    var h = wrongToken.health();
    assertThat(h.state()).isEqualTo(BackendState.UNAVAILABLE);
    assertThat(h.detail()).contains("token rejected", "BAO_TOKEN").doesNotContain(wrong);

    String revoked = newToken("default");
    bao.cliOk("token", "revoke", revoked);
    OpenBaoKeystore revokedToken =
        new OpenBaoKeystore(Fixtures.settings(bao).token(revoked).build(), "acc", 65536);
    assertThat(revokedToken.health().detail()).contains("token rejected");

    bao.cliOk(
        "policy",
        "write",
        "read-only-acc",
        writePolicy(
            "path \"secret/data/acc/*\" { capabilities = [\"read\"] }\n"
                + "path \"secret/metadata/acc/*\" { capabilities = [\"read\", \"list\"] }\n"));
    String narrow = newToken("read-only-acc");
    OpenBaoKeystore narrowPolicy =
        new OpenBaoKeystore(Fixtures.settings(bao).token(narrow).build(), "acc", 65536);
    var n = narrowPolicy.health();
    assertThat(n.state()).isEqualTo(BackendState.UNAVAILABLE);
    assertThat(n.detail())
        .contains("token policy too narrow")
        .contains("[create, update] on secret/data/acc/keys/*")
        .contains("[delete, update] on secret/metadata/acc/keys/*")
        .doesNotContain(narrow);
    good.deactivate();
    wrongToken.deactivate();
    revokedToken.deactivate();
    narrowPolicy.deactivate();
  }

  private static String newToken(String policy) {
    return JsonParser.parseString(bao.cliOk("token", "create", "-policy=" + policy, "-format=json"))
        .getAsJsonObject()
        .getAsJsonObject("auth")
        .get("client_token")
        .getAsString();
  }

  @Test
  void restrictedPolicyGivesPermissionDeniedNamingThePathAndLeavesNothingBehind() throws Exception {
    OpenBaoKeystore root = keystore(bao, "pol");
    root.store(l2("existing", "acme"), sealed(16));
    bao.cliOk(
        "policy",
        "write",
        "index-only",
        writePolicy(
            "path \"secret/data/pol/keys/*\" { capabilities = [\"read\"] }\n"
                + "path \"secret/data/pol/ix/*\" { capabilities = [\"create\", \"update\", \"read\"] }\n"
                + "path \"secret/metadata/pol/*\" { capabilities = [\"read\", \"list\", \"delete\"] }\n"));
    String token =
        JsonParser.parseString(bao.cliOk("token", "create", "-policy=index-only", "-format=json"))
            .getAsJsonObject()
            .getAsJsonObject("auth")
            .get("client_token")
            .getAsString();
    OpenBaoKeystore limited =
        new OpenBaoKeystore(Fixtures.settings(bao).token(token).build(), "pol", 65536);

    assertThat(limited.retrieve(KeyRef.of("existing", 1)).sealed()).hasSize(16);
    assertThatThrownBy(() -> limited.store(l2("denied", "acme"), sealed(16)))
        .isInstanceOf(PermissionDeniedException.class)
        .hasMessageContaining("secret/data/pol/keys/denied,0000000001")
        .hasMessageNotContaining(token);

    // the record was refused after its index entries were written: they were removed again
    assertThatThrownBy(() -> root.retrieve(KeyRef.of("denied", 1)))
        .isInstanceOf(KeyNotFoundException.class);
    assertThat(bao.cliOk("kv", "list", "-format=json", "-mount=secret", "pol/ix/owner/tenant/acme"))
        .doesNotContain("denied");
    assertThat(bao.cliOk("kv", "list", "-format=json", "-mount=secret", "pol/ix/tier/L2"))
        .doesNotContain("denied");
    limited.deactivate();
    root.deactivate();
  }

  @Test
  void twoConcurrentUpdatersOfOneRevisionGiveOneWinnerAndOneConcurrentUpdate() throws Exception {
    OpenBaoKeystore ks = keystore(bao, "race");
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 5; round++) {
        KeyMetadata m = l2("contended-" + round, "acme");
        ks.store(m, sealed(16));
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Long>> results = new ArrayList<>();
        for (KeyStatus s : new KeyStatus[] {KeyStatus.SUSPENDED, KeyStatus.DEPRECATED}) {
          Callable<Long> update =
              () -> {
                go.await();
                return ks.updateMetadata(m.toBuilder().status(s).build(), 1);
              };
          results.add(pool.submit(update));
        }
        go.countDown();
        int wins = 0;
        int conflicts = 0;
        KeyStatus winner = null;
        for (int i = 0; i < 2; i++) {
          try {
            assertThat(results.get(i).get(30, TimeUnit.SECONDS)).isEqualTo(2);
            wins++;
            winner = i == 0 ? KeyStatus.SUSPENDED : KeyStatus.DEPRECATED;
          } catch (java.util.concurrent.ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(ConcurrentUpdateException.class);
            conflicts++;
          }
        }
        assertThat(wins).isEqualTo(1);
        assertThat(conflicts).isEqualTo(1);
        assertThat(ks.retrieve(m.ref()).metadata().status()).isEqualTo(winner);
        assertThat(ks.retrieve(m.ref()).revision()).isEqualTo(2);
      }
    } finally {
      pool.shutdownNow();
      ks.deactivate();
    }
  }

  @Test
  void rateLimitIsUnavailableWithARetryHint() throws Exception {
    OpenBaoKeystore ks = keystore(bao, "rl");
    ks.store(l2("hot", "acme"), sealed(16));
    bao.cliOk("write", "sys/quotas/rate-limit/kv-slow", "rate=1", "interval=10s", "path=secret/");
    try {
      BackendUnavailableException seen = null;
      for (int i = 0; i < 10 && seen == null; i++) {
        try {
          ks.retrieve(KeyRef.of("hot", 1));
        } catch (BackendUnavailableException e) {
          seen = e;
        }
      }
      assertThat(seen).as("a 429 within 10 calls at 1 per 10 s").isNotNull();
      assertThat(seen.getMessage()).contains("429");
      assertThat(seen.retryAfter()).isPresent();
      assertThat(seen.isTransient()).isTrue();
    } finally {
      bao.cliOk("delete", "sys/quotas/rate-limit/kv-slow");
      ks.deactivate();
    }
  }

  @Test
  void aMissingMountIsUnavailableNotAMissingKey() throws Exception {
    OpenBaoKeystore ks =
        new OpenBaoKeystore(Fixtures.settings(bao).mount("no-such-kv").build(), "x", 65536);
    assertThatThrownBy(() -> ks.store(l2("k", "acme"), sealed(8)))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("no-such-kv");
    ks.deactivate();
  }

  @Test
  void nothingListeningIsUnavailableFastAndHealthSaysSo() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    OpenBaoKeystore ks =
        new OpenBaoKeystore(
            BaoSettings.builder()
                .address("http://127.0.0.1:" + port)
                .token("t")
                .mount("secret")
                .timeouts(500, 1000)
                .build(),
            "none",
            65536);
    long start = System.nanoTime();
    assertThatThrownBy(() -> ks.retrieve(KeyRef.of("x", 1)))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("connection refused")
        .isNotInstanceOf(RuntimeException.class);
    assertThat(ks.health().state()).isEqualTo(BackendState.UNAVAILABLE);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5000);
    ks.deactivate();
    assertThatThrownBy(() -> ks.retrieve(KeyRef.of("x", 1))).isInstanceOf(KeystoreException.class);
  }

  @Test
  void aReadWhoseAnswerTricklesEndsWhenTheCallerIsInterrupted() throws Exception {
    // what the core's deadline relies on for a backend it calls on the caller's thread
    // (keystore.interruptible): headers at once, then a body that never completes
    try (ServerSocket trickling =
        new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      CountDownLatch headersSent = new CountDownLatch(1);
      Thread server =
          new Thread(
              () -> {
                try (java.net.Socket c = trickling.accept()) {
                  c.getInputStream().read(new byte[8192]);
                  c.getOutputStream()
                      .write(
                          ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                  + "Content-Length: 100000\r\n\r\n{\"data\":")
                              .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                  c.getOutputStream().flush();
                  headersSent.countDown();
                  c.getInputStream().read(); // until the client gives up and closes
                } catch (java.io.IOException closed) {
                  // the test is over
                }
              });
      server.setDaemon(true);
      server.start();
      OpenBaoKeystore ks =
          new OpenBaoKeystore(
              BaoSettings.builder()
                  .address("http://127.0.0.1:" + trickling.getLocalPort())
                  .token("t")
                  .mount("secret")
                  .timeouts(500, 60_000)
                  .build(),
              "trickle",
              65536);
      ExecutorService caller = Executors.newSingleThreadExecutor();
      try {
        Future<Object> call =
            caller.submit(
                () -> {
                  try {
                    return ks.retrieve(KeyRef.of("x", 1));
                  } catch (KeystoreException e) {
                    return e;
                  }
                });
        assertThat(headersSent.await(10, TimeUnit.SECONDS)).isTrue();
        long t0 = System.nanoTime();
        caller.shutdownNow(); // interrupts the caller's thread, as the core's watchdog does
        assertThat(caller.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(5000);
        assertThat(call.get())
            .isInstanceOf(BackendUnavailableException.class)
            .asString()
            .contains("interrupted");
      } finally {
        caller.shutdownNow();
        ks.deactivate();
      }
    }
  }

  @Test
  void aServerThatNeverAnswersTimesOutWithinTheDeadline() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      // the kernel completes the TCP handshake from the backlog; nobody ever reads or answers
      OpenBaoKeystore ks =
          new OpenBaoKeystore(
              BaoSettings.builder()
                  .address("http://127.0.0.1:" + silent.getLocalPort())
                  .token("t")
                  .mount("secret")
                  .timeouts(500, 1000)
                  .build(),
              "silent",
              65536);
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> ks.retrieve(KeyRef.of("x", 1)))
          .isInstanceOf(BackendUnavailableException.class)
          .hasMessageContaining("timed out");
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(3000);
      t0 = System.nanoTime();
      assertThat(ks.health().state()).isEqualTo(BackendState.UNAVAILABLE);
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(3000);
      ks.deactivate();
    }
  }

  @Test
  void oneHttpClientServesEveryRequestAndItsThreadsStopOnDeactivate() throws Exception {
    long selectorsBefore = threads("SelectorManager");
    OpenBaoKeystore ks = keystore(bao, "threads");
    ks.store(l2("t", "acme"), sealed(8));
    for (int i = 0; i < 20; i++) {
      ks.retrieve(KeyRef.of("t", 1));
    }
    assertThat(threads("SelectorManager") - selectorsBefore)
        .as("HttpClients created by 21 requests")
        .isLessThanOrEqualTo(1);
    assertThat(threads("openbao-openbao-http")).isPositive();
    ks.deactivate();
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(10))
        .until(() -> threads("openbao-openbao-http") == 0);
    assertThatThrownBy(() -> ks.retrieve(KeyRef.of("t", 1)))
        .isInstanceOf(BackendUnavailableException.class);
  }

  private static long threads(String nameFragment) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().contains(nameFragment))
        .count();
  }

  private static String writePolicy(String hcl) throws java.io.IOException {
    java.nio.file.Path f = java.nio.file.Files.createTempFile("policy", ".hcl");
    java.nio.file.Files.writeString(f, hcl);
    f.toFile().deleteOnExit();
    return f.toString();
  }
}
