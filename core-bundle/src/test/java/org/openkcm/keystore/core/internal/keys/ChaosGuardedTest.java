package org.openkcm.keystore.core.internal.keys;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openkcm.keystore.core.internal.backend.Fixtures;
import org.openkcm.keystore.core.internal.cache.CacheSettings;
import org.openkcm.keystore.core.internal.cache.KeyCache;
import org.openkcm.keystore.core.internal.crypto.LocalRootKeyProvider;
import org.openkcm.keystore.inmemory.internal.InMemoryKeystore;
import org.openkcm.keystore.testkit.FaultInjectingKeystore;
import org.openkcm.keystore.testkit.FaultInjectingKeystore.Fault;
import org.openkcm.keystore.testkit.FaultInjectingKeystore.FaultPlan;

/**
 * The randomized run through the whole production stack: the real plugin manager (routing, guarded
 * backends with deadlines, circuit breakers) under the crypto core, with a few hangs (before and
 * after the write) besides the failures: a hang costs one call deadline (100 ms here) and then
 * counts as a lost answer.
 */
class ChaosGuardedTest {
  @TempDir Path dir;

  @Test
  @Timeout(180)
  void tenThousandOperationsThroughThePluginManagerWithHangsAndBreakers() throws Exception {
    long seed = Long.getLong("keystore.fault.seed", FaultRuns.DEFAULT_SEED);
    long start = System.nanoTime();
    InMemoryKeystore tiered = new InMemoryKeystore("tiered", 1_000_000);
    InMemoryKeystore edge = new InMemoryKeystore("inmemory", 1_000_000);
    FaultInjectingKeystore a = new FaultInjectingKeystore(tiered);
    FaultInjectingKeystore b = new FaultInjectingKeystore(edge);
    Fixtures plugins =
        new Fixtures(
            new String[] {"tier=L2,L3 -> tiered", "tier=L4 -> inmemory"},
            "inmemory",
            Map.of(
                "healthInterval",
                "1h",
                "callTimeout",
                "100ms",
                "inlineBackends",
                new String[0],
                "breakerFailures",
                6,
                "breakerOpenTime",
                "20ms"));
    plugins.register("tiered", 0, a);
    plugins.register("inmemory", 0, b);
    try (LocalRootKeyProvider root =
        new LocalRootKeyProvider(dir.resolve("master.key"), n -> null)) {
      CryptoKeyService service =
          new CryptoKeyService(plugins.manager(), root, new KeyCache(CacheSettings.defaults()));
      ChaosRun run = new ChaosRun(() -> service, seed, new ChaosRun.Limits(20, 80, 100_000));
      a.plan(withHangs(seed, ChaosPlans.bursty(seed, 0.10, 0.004, 8)));
      b.plan(withHangs(seed + 1, ChaosPlans.bursty(seed + 1, 0.10, 0.004, 8)));
      run.run(10_000, 500, () -> {});
      a.plan(FaultPlan.none());
      b.plan(FaultPlan.none());
      a.releaseHangs();
      b.releaseHangs();
      ReconcileReport last = service.reconcile(Duration.ZERO, true);
      service.close();
      System.out.println("chaos[guarded] breakers: " + plugins.manager().backends());

      CryptoKeyService fresh =
          new CryptoKeyService(
              new TestDirectory(tiered, edge), root, new KeyCache(CacheSettings.defaults()));
      ChaosInvariants inv = new ChaosInvariants(List.of(tiered, edge));
      inv.checkNoOrphans();
      inv.checkKeys(run.model, fresh);
      inv.checkNoPlaintext(run.model.materials);
      fresh.close();
      ChaosReport.check("guarded", seed, run, inv, List.of(a, b), last, start, 10_000);
    } finally {
      plugins.close();
      tiered.close();
      edge.close();
    }
  }

  /**
   * One call in 2,000 hangs (until the caller's deadline interrupts it), before or after the write.
   */
  private static FaultPlan withHangs(long seed, FaultPlan inner) {
    java.util.Random r = new java.util.Random(seed ^ 0x5DEECE66DL);
    return (call, op) -> {
      synchronized (r) {
        if (r.nextInt(2000) == 0) {
          return r.nextBoolean() ? Fault.HANG_BEFORE : Fault.HANG_AFTER;
        }
      }
      return inner.decide(call, op);
    };
  }
}
