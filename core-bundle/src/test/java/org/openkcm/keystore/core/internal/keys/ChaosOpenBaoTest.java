package org.openkcm.keystore.core.internal.keys;

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
import org.openkcm.keystore.openbao.internal.TestKeystores;
import org.openkcm.keystore.openbao.testing.OpenBaoServer;
import org.openkcm.keystore.spi.Keystore;
import org.openkcm.keystore.testkit.FaultInjectingKeystore;
import org.openkcm.keystore.testkit.FaultInjectingKeystore.FaultPlan;

/**
 * The randomized fault run against a real OpenBao (dev server started by the test; fails if bao
 * cannot start): as the default routing does, L2/L3 live in OpenBao and L4 in InMemory, so every
 * cascade and every L4 create touches both. Same invariants as {@link ChaosInMemoryTest}; replay
 * with {@code -Dkeystore.fault.seed=N}.
 */
class ChaosOpenBaoTest {
  @TempDir Path dir;
  private OpenBaoServer bao;
  private Keystore openbao;

  @AfterEach
  void tearDown() {
    if (openbao != null) {
      TestKeystores.close(openbao);
    }
    if (bao != null) {
      bao.close();
    }
  }

  @Test
  // a hang guard, not a speed check: on a shared 2-core machine at load ~18 the 10,000 operations
  // plus the final full listing took just over 240 s
  @Timeout(480)
  void tenThousandFaultedOperationsOnOpenBaoLeaveNoOrphanAndLoseNoAcknowledgedWrite()
      throws Exception {
    long seed = Long.getLong("keystore.fault.seed", ChaosInMemoryTest.DEFAULT_SEED);
    bao = OpenBaoServer.startDev();
    long start = System.nanoTime();
    openbao = TestKeystores.openBao(bao, "chaos");
    InMemoryKeystore edge = new InMemoryKeystore("inmemory", 1_000_000);
    FaultInjectingKeystore a = new FaultInjectingKeystore(openbao);
    FaultInjectingKeystore b = new FaultInjectingKeystore(edge);
    TestDirectory directory =
        new TestDirectory(b, a)
            .route(KeyTier.L2, "openbao")
            .route(KeyTier.L3, "openbao")
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
              new TestDirectory(edge, openbao), root, new KeyCache(CacheSettings.defaults()));
      ChaosInvariants inv = new ChaosInvariants(List.of(openbao, edge));
      inv.checkNoOrphans();
      inv.checkKeys(run.model, fresh);
      inv.checkNoPlaintext(run.model.materials);
      fresh.close();
      ChaosReport.check("openbao", seed, run, inv, List.of(a, b), last, start, 10_000);
    } finally {
      edge.close();
    }
  }
}
