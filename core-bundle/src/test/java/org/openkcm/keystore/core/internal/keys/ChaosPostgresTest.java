package org.openkcm.keystore.core.internal.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
import org.openkcm.keystore.testkit.FaultInjectingKeystore.FaultPlan;

/**
 * The randomized fault run against a real PostgreSQL (started by the test; fails if it cannot
 * start): L2/L3 in PostgreSQL, L4 in InMemory, so every cascade and every L4 create touches both.
 * Same invariants as {@link ChaosInMemoryTest}, plus: no key material in any table (text dump) nor
 * in the database files and WAL on disk. Replay with {@code -Dkeystore.fault.seed=N}.
 */
class ChaosPostgresTest {
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
  @Timeout(300)
  void tenThousandFaultedOperationsOnPostgresLeaveNoOrphanAndLoseNoAcknowledgedWrite()
      throws Exception {
    long seed = Long.getLong("keystore.fault.seed", ChaosInMemoryTest.DEFAULT_SEED);
    pg = PostgresServer.start();
    long start = System.nanoTime();
    postgres = TestKeystores.postgres(pg, "chaos");
    InMemoryKeystore edge = new InMemoryKeystore("inmemory", 1_000_000);
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
      a.plan(ChaosPlans.bursty(seed, 0.10, 0.004, 8));
      b.plan(ChaosPlans.bursty(seed + 1, 0.10, 0.004, 8));
      run.run(10_000, 1000, () -> {});
      a.plan(FaultPlan.none());
      b.plan(FaultPlan.none());
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
      RawMaterialScan scan = new RawMaterialScan(run.model.materials);
      String dump = pg.dumpSchema("chaos");
      assertThat(dump).as("the tables hold the run's records").contains("\\\\x");
      assertThat(scan.inText(dump, "a table of schema chaos"))
          .as("key material in a table")
          .isEmpty();
      assertThat(scan.inRaw(pg.rawFiles(), "the database files and WAL"))
          .as("key material on disk")
          .isEmpty();
      ChaosReport.check("postgres", seed, run, inv, List.of(a, b), last, start, 10_000);
    } finally {
      edge.close();
    }
  }
}
