package org.openkcm.keystore.core.internal.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.openkcm.keystore.testkit.FaultInjectingKeystore;

/** Prints the figures of a randomized run and asserts the invariants. */
final class ChaosReport {
  private ChaosReport() {}

  static void check(
      String name,
      long seed,
      ChaosRun run,
      ChaosInvariants inv,
      List<FaultInjectingKeystore> faulty,
      ReconcileReport last,
      long startNanos,
      int minOperations) {
    check(name, seed, run, inv, faulty, last, startNanos, minOperations, 0.10);
  }

  static void check(
      String name,
      long seed,
      ChaosRun run,
      ChaosInvariants inv,
      List<FaultInjectingKeystore> faulty,
      ReconcileReport last,
      long startNanos,
      int minOperations,
      double minFaultShare) {
    long calls = faulty.stream().mapToLong(FaultInjectingKeystore::calls).sum();
    long faults = faulty.stream().mapToLong(FaultInjectingKeystore::faultsInjected).sum();
    long millis = (System.nanoTime() - startNanos) / 1_000_000;
    System.out.printf("chaos[%s] seed=%d (replay: -Dkeystore.fault.seed=%d)%n", name, seed, seed);
    System.out.printf(
        "chaos[%s] %d operations (%d succeeded, %d failed with typed errors), %d backend calls, %d faults"
            + " injected (%.1f%%), %d records at the end, %d repaired by reconciler passes during the run, last reconcile: %s,"
            + " %d ms%n",
        name,
        run.operations,
        run.succeeded,
        run.failed,
        calls,
        faults,
        100.0 * faults / Math.max(1, calls),
        inv.records,
        run.reconciled,
        last,
        millis);
    inv.orphans.forEach(o -> System.out.println("  orphan: " + o));
    inv.half.forEach(o -> System.out.println("  half: " + o));
    inv.lost.forEach(o -> System.out.println("  lost: " + o));
    inv.plaintext.forEach(o -> System.out.println("  plaintext: " + o));
    run.violations.forEach(o -> System.out.println("  violation: " + o));
    System.out.printf(
        "chaos[%s] RESULT operations=%d faults_injected=%d orphans_found=%d acknowledged_writes_lost=%d"
            + " plaintext_found=%d violations=%d seed=%d duration_ms=%d%n",
        name,
        run.operations,
        faults,
        inv.orphanCount(),
        inv.lost.size(),
        inv.plaintext.size(),
        run.violations.size(),
        seed,
        millis);
    assertThat(run.operations).isGreaterThanOrEqualTo(minOperations);
    assertThat((double) faults / calls)
        .as("share of faulted backend calls")
        .isGreaterThanOrEqualTo(minFaultShare);
    assertThat(run.violations).as("answers no fault explains").isEmpty();
    assertThat(inv.orphans)
        .as("orphans (PENDING, intent tags, children without parent, duplicates)")
        .isEmpty();
    assertThat(inv.half).as("keys reported failed that are half there").isEmpty();
    assertThat(inv.lost).as("acknowledged writes lost").isEmpty();
    assertThat(inv.plaintext).as("plaintext key material in a backend").isEmpty();
    assertThat(run.model.live(null)).as("the run kept live keys to check").isNotEmpty();
  }
}
