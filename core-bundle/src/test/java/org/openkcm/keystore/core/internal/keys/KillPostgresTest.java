package org.openkcm.keystore.core.internal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openkcm.keystore.core.internal.cache.CacheSettings;
import org.openkcm.keystore.core.internal.cache.KeyCache;
import org.openkcm.keystore.core.internal.crypto.LocalRootKeyProvider;
import org.openkcm.keystore.inmemory.internal.InMemoryKeystore;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.postgres.internal.TestKeystores;
import org.openkcm.keystore.postgres.testing.PostgresServer;
import org.openkcm.keystore.spi.Keystore;
import org.openkcm.keystore.testkit.FaultInjectingKeystore;

/**
 * A real crash of the storage: the PostgreSQL postmaster is killed with SIGKILL twice while the
 * crypto core runs a write-heavy random mix against it, and restarted (same storage, unsealed);
 * then one reconcile (crash recovery replays the WAL), and the same invariants as the
 * injected-fault runs: every acknowledged write survived the kills, nothing half-done, no orphan,
 * no plaintext.
 */
class KillPostgresTest {
  @TempDir Path dir;
  private PostgresServer pg;
  private Keystore postgres;

  @AfterEach
  void tearDown() {
    if (postgres != null) {
      TestKeystores.close(postgres);
    }
    if (pg != null) {
      pg.close();
    }
  }

  @Test
  @Timeout(240)
  void acknowledgedWritesSurviveKillNineOfPostgresMidRun() throws Exception {
    long seed = Long.getLong("keystore.fault.seed", ChaosInMemoryTest.DEFAULT_SEED);
    pg = PostgresServer.start();
    long start = System.nanoTime();
    postgres = TestKeystores.postgresFailingFast(pg, "kill");
    InMemoryKeystore edge = new InMemoryKeystore("inmemory", 1_000_000);
    // no injected faults: a counting pass-through, the faults are the kills
    FaultInjectingKeystore a = new FaultInjectingKeystore(postgres);
    FaultInjectingKeystore b = new FaultInjectingKeystore(edge);
    TestDirectory directory =
        new TestDirectory(b, a)
            .route(KeyTier.L2, "postgres")
            .route(KeyTier.L3, "postgres")
            .route(KeyTier.L4, "inmemory");
    try (LocalRootKeyProvider root =
        new LocalRootKeyProvider(dir.resolve("master.key"), n -> null)) {
      CryptoKeyService service =
          new CryptoKeyService(directory, root, new KeyCache(CacheSettings.defaults()));
      ChaosRun run = new ChaosRun(() -> service, seed, new ChaosRun.Limits(8, 30, 100_000));
      CompletableFuture<Void> worker = CompletableFuture.runAsync(() -> run.run(4000, 0, () -> {}));
      for (int kill = 1; kill <= 2; kill++) {
        int at = kill * 1200;
        await()
            .atMost(Duration.ofSeconds(90))
            .until(() -> run.progress.get() >= at || worker.isDone());
        pg.kill();
        int down = run.progress.get();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> run.progress.get() >= down + 20 || worker.isDone());
        pg.restart();
      }
      worker.get(180, TimeUnit.SECONDS);
      ReconcileReport last = service.reconcile(Duration.ZERO, true);
      service.close();

      CryptoKeyService fresh =
          new CryptoKeyService(
              new TestDirectory(edge, postgres), root, new KeyCache(CacheSettings.defaults()));
      ChaosInvariants inv = new ChaosInvariants(List.of(postgres, edge));
      inv.checkNoOrphans();
      inv.checkKeys(run.model, fresh);
      inv.checkNoPlaintext(run.model.materials);
      fresh.close();
      assertThat(run.failed).as("operations failed while PostgreSQL was down").isPositive();
      ChaosReport.check("postgres-kill9", seed, run, inv, List.of(a, b), last, start, 4000, 0.0);
    } finally {
      edge.close();
    }
  }
}
