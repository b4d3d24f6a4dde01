package org.openkcm.keystore.core.internal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openkcm.keystore.core.internal.cache.CacheSettings;
import org.openkcm.keystore.core.internal.cache.KeyCache;
import org.openkcm.keystore.core.internal.crypto.LocalRootKeyProvider;
import org.openkcm.keystore.inmemory.internal.InMemoryKeystore;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.spi.Keystore;
import org.openkcm.keystore.testkit.FaultInjectingKeystore;
import org.openkcm.keystore.testkit.FaultInjectingKeystore.FaultPlan;

/**
 * The one body of every randomized fault run and every kill run; the test classes only start their
 * backend (a real server or process) and name it. As the default routing does, L2/L3 go to the
 * backend under test and L4 to an InMemory edge, so every cascade and every L4 create touches both.
 * After the run: one reconcile with faults off, then the backends are read back by a fresh core and
 * held to the same invariants (no orphan, no half-done key, no acknowledged write lost, no
 * plaintext). Replay a seed with {@code -Dkeystore.fault.seed=N}.
 */
final class FaultRuns {
  static final long DEFAULT_SEED = 20261129L;
  private static final int INJECTED_OPERATIONS = 10_000;
  private static final int KILL_OPERATIONS = 4000;

  private FaultRuns() {}

  /** Which backend the directory asks first for a key it has not placed. */
  enum Order {
    TESTED_FIRST,
    EDGE_FIRST
  }

  /** A check of the backend's own storage on top of the shared invariants. */
  interface StorageCheck {
    void check(ChaosRun run) throws Exception;

    StorageCheck NONE = run -> {};
  }

  static long seed() {
    return Long.getLong("keystore.fault.seed", DEFAULT_SEED);
  }

  /**
   * 10,000 random operations with faults injected before or after the backend did the work (bursty,
   * about 10% of calls on either backend).
   */
  static void injected(
      String report,
      Path dir,
      long startNanos,
      Keystore tested,
      Order order,
      ChaosRun.Limits limits,
      int reconcileEvery,
      StorageCheck storage)
      throws Exception {
    drive(
        report,
        dir,
        startNanos,
        tested,
        order,
        limits,
        (run, seed, a, b) -> {
          a.plan(ChaosPlans.bursty(seed, 0.10, 0.004, 8));
          b.plan(ChaosPlans.bursty(seed + 1, 0.10, 0.004, 8));
          run.run(INJECTED_OPERATIONS, reconcileEvery, () -> {});
          a.plan(FaultPlan.none());
          b.plan(FaultPlan.none());
        },
        storage,
        INJECTED_OPERATIONS,
        0.10);
  }

  /**
   * A write-heavy random mix while the storage is killed with SIGKILL twice and restarted (same
   * storage: {@code kill}, then {@code restart}); no injected faults (a counting pass-through): the
   * faults are the kills.
   */
  static void killed(
      String report,
      String storageName,
      Path dir,
      long startNanos,
      Keystore tested,
      Runnable kill,
      Runnable restart)
      throws Exception {
    drive(
        report,
        dir,
        startNanos,
        tested,
        Order.EDGE_FIRST,
        new ChaosRun.Limits(8, 30, 100_000),
        (run, seed, a, b) -> {
          CompletableFuture<Void> worker =
              CompletableFuture.runAsync(() -> run.run(KILL_OPERATIONS, 0, () -> {}));
          for (int round = 1; round <= 2; round++) {
            int at = round * 1200;
            await()
                .atMost(Duration.ofSeconds(90))
                .until(() -> run.progress.get() >= at || worker.isDone());
            kill.run();
            int down = run.progress.get();
            await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> run.progress.get() >= down + 20 || worker.isDone());
            restart.run();
          }
          worker.get(180, TimeUnit.SECONDS);
        },
        run ->
            assertThat(run.failed)
                .as("operations failed while " + storageName + " was down")
                .isPositive(),
        KILL_OPERATIONS,
        0.0);
  }

  /**
   * What a run does to the core and its two backends (the tested one {@code a}, the edge {@code
   * b}).
   */
  private interface Driver {
    void drive(ChaosRun run, long seed, FaultInjectingKeystore a, FaultInjectingKeystore b)
        throws Exception;
  }

  /**
   * The shared frame: the core over the tested backend and an InMemory edge, the driver, one
   * reconcile with faults off, the read-back, the extra check, the report and its assertions.
   */
  private static void drive(
      String report,
      Path dir,
      long startNanos,
      Keystore tested,
      Order order,
      ChaosRun.Limits limits,
      Driver driver,
      StorageCheck after,
      int minOperations,
      double minFaultShare)
      throws Exception {
    long seed = seed();
    InMemoryKeystore edge = new InMemoryKeystore("inmemory", 1_000_000);
    FaultInjectingKeystore a = new FaultInjectingKeystore(tested);
    FaultInjectingKeystore b = new FaultInjectingKeystore(edge);
    try (LocalRootKeyProvider root =
        new LocalRootKeyProvider(dir.resolve("master.key"), n -> null)) {
      CryptoKeyService service = service(directory(a, b, order), root);
      ChaosRun run = new ChaosRun(() -> service, seed, limits);
      driver.drive(run, seed, a, b);
      ReconcileReport last = service.reconcile(Duration.ZERO, true);
      service.close();
      ChaosInvariants inv = readBack(run, tested, edge, order, root);
      after.check(run);
      ChaosReport.check(
          report, seed, run, inv, List.of(a, b), last, startNanos, minOperations, minFaultShare);
    } finally {
      edge.close();
    }
  }

  private static TestDirectory directory(Keystore tested, Keystore edge, Order order) {
    String name = tested.info().name();
    TestDirectory d =
        order == Order.TESTED_FIRST
            ? new TestDirectory(tested, edge)
            : new TestDirectory(edge, tested);
    return d.route(KeyTier.L2, name).route(KeyTier.L3, name).route(KeyTier.L4, "inmemory");
  }

  private static CryptoKeyService service(TestDirectory directory, LocalRootKeyProvider root) {
    return new CryptoKeyService(directory, root, new KeyCache(CacheSettings.defaults()));
  }

  /** What the backends really hold, read without the fault injectors by a fresh core. */
  private static ChaosInvariants readBack(
      ChaosRun run, Keystore tested, Keystore edge, Order order, LocalRootKeyProvider root)
      throws Exception {
    TestDirectory plain =
        order == Order.TESTED_FIRST
            ? new TestDirectory(tested, edge)
            : new TestDirectory(edge, tested);
    CryptoKeyService fresh = service(plain, root);
    ChaosInvariants inv = new ChaosInvariants(List.of(tested, edge));
    inv.checkNoOrphans();
    inv.checkKeys(run.model, fresh);
    inv.checkNoPlaintext(run.model.materials);
    fresh.close();
    return inv;
  }
}
