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
import org.openkcm.keystore.pluginhost.internal.TestPlugins;
import org.openkcm.keystore.spi.Keystore;
import org.openkcm.keystore.testkit.FaultInjectingKeystore;
import org.openkcm.keystore.testkit.FaultInjectingKeystore.FaultPlan;

/**
 * The randomized fault run over an out-of-process backend: L2/L3 in the reference Go plugin (bbolt,
 * a real process behind the go-plugin host: handshake, AutoMTLS, Unix socket), L4 in InMemory, 10%
 * of backend calls failed before or after the backend did the work. Same invariants as {@link
 * ChaosInMemoryTest}; replay with {@code -Dkeystore.fault.seed=N}.
 */
class ChaosPluginTest {
  @TempDir Path dir;

  @Test
  @Timeout(300)
  void tenThousandFaultedOperationsOverAGoPluginLeaveNoOrphanAndLoseNoAcknowledgedWrite()
      throws Exception {
    long seed = Long.getLong("keystore.fault.seed", ChaosInMemoryTest.DEFAULT_SEED);
    try (TestPlugins.Running plugin = TestPlugins.bbolt("gobolt", dir)) {
      long start = System.nanoTime();
      Keystore remote = plugin.keystore();
      InMemoryKeystore edge = new InMemoryKeystore("inmemory", 1_000_000);
      FaultInjectingKeystore a = new FaultInjectingKeystore(remote);
      FaultInjectingKeystore b = new FaultInjectingKeystore(edge);
      TestDirectory directory =
          new TestDirectory(b, a)
              .route(KeyTier.L2, "gobolt")
              .route(KeyTier.L3, "gobolt")
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
                new TestDirectory(edge, remote), root, new KeyCache(CacheSettings.defaults()));
        ChaosInvariants inv = new ChaosInvariants(List.of(remote, edge));
        inv.checkNoOrphans();
        inv.checkKeys(run.model, fresh);
        inv.checkNoPlaintext(run.model.materials);
        fresh.close();
        ChaosReport.check("go-plugin", seed, run, inv, List.of(a, b), last, start, 10_000);
      } finally {
        edge.close();
      }
    }
  }
}
