package org.openkcm.keystore.core.internal.keys;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openkcm.keystore.core.internal.cache.CacheSettings;
import org.openkcm.keystore.core.internal.cache.KeyCache;
import org.openkcm.keystore.core.internal.crypto.LocalRootKeyProvider;
import org.openkcm.keystore.inmemory.internal.InMemoryKeystore;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.testkit.FaultInjectingKeystore;
import org.openkcm.keystore.testkit.FaultInjectingKeystore.FaultPlan;

/**
 * 10,000 random operations on two InMemory backends (L2/L3 on one, L4 on the other, so cascades
 * span two backends), 12% of backend calls failed before or after the backend did the work. Replay
 * a seed with {@code -Dkeystore.fault.seed=N}.
 */
class ChaosInMemoryTest {
  static final long DEFAULT_SEED = 20261129L;

  @TempDir Path dir;

  @Test
  @Timeout(120)
  void tenThousandFaultedOperationsLeaveNoOrphanAndLoseNoAcknowledgedWrite() throws Exception {
    long seed = Long.getLong("keystore.fault.seed", DEFAULT_SEED);
    long start = System.nanoTime();
    InMemoryKeystore tiered = new InMemoryKeystore("tiered", 1_000_000);
    InMemoryKeystore edge = new InMemoryKeystore("inmemory", 1_000_000);
    FaultInjectingKeystore a = new FaultInjectingKeystore(tiered);
    FaultInjectingKeystore b = new FaultInjectingKeystore(edge);
    TestDirectory directory =
        new TestDirectory(a, b)
            .route(KeyTier.L2, "tiered")
            .route(KeyTier.L3, "tiered")
            .route(KeyTier.L4, "inmemory");
    try (LocalRootKeyProvider root =
        new LocalRootKeyProvider(dir.resolve("master.key"), n -> null)) {
      CryptoKeyService service =
          new CryptoKeyService(directory, root, new KeyCache(CacheSettings.defaults()));
      ChaosRun run = new ChaosRun(() -> service, seed, new ChaosRun.Limits(20, 80, 100_000));
      a.plan(ChaosPlans.bursty(seed, 0.10, 0.004, 8));
      b.plan(ChaosPlans.bursty(seed + 1, 0.10, 0.004, 8));
      run.run(10_000, 500, () -> {});
      a.plan(FaultPlan.none());
      b.plan(FaultPlan.none());
      ReconcileReport last = service.reconcile(Duration.ZERO, true);
      service.close();

      CryptoKeyService fresh =
          new CryptoKeyService(
              new TestDirectory(tiered, edge), root, new KeyCache(CacheSettings.defaults()));
      ChaosInvariants inv = new ChaosInvariants(List.of(tiered, edge));
      inv.checkNoOrphans();
      inv.checkKeys(run.model, fresh);
      inv.checkNoPlaintext(run.model.materials);
      fresh.close();
      ChaosReport.check("inmemory", seed, run, inv, List.of(a, b), last, start, 10_000);
    } finally {
      tiered.close();
      edge.close();
    }
  }
}
