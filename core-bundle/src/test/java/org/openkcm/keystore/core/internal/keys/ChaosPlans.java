package org.openkcm.keystore.core.internal.keys;

import java.util.Random;
import org.openkcm.keystore.testkit.FaultInjectingKeystore.Fault;
import org.openkcm.keystore.testkit.FaultInjectingKeystore.FaultPlan;

/**
 * Fault plans for the randomized runs. Isolated faults alone are nearly always absorbed by the
 * core's retries and read-backs; short outages (a burst of consecutive faults) get past them and
 * leave sagas half-done, which is what the compensations and the reconciler are for.
 */
final class ChaosPlans {
  private ChaosPlans() {}

  /**
   * @param rate share of calls faulted at random (before or after the backend did the work)
   * @param burstStart chance per call that an outage of 3..(2+maxBurst) consecutive faulted calls
   *     begins
   */
  static FaultPlan bursty(long seed, double rate, double burstStart, int maxBurst) {
    Random r = new Random(seed);
    int[] left = {0};
    return (call, op) -> {
      synchronized (r) {
        if (left[0] > 0) {
          left[0]--;
          return r.nextBoolean() ? Fault.FAIL_BEFORE : Fault.FAIL_AFTER;
        }
        if (r.nextDouble() < burstStart) {
          left[0] = 2 + r.nextInt(maxBurst);
          return Fault.FAIL_AFTER;
        }
        if (r.nextDouble() < rate) {
          return r.nextBoolean() ? Fault.FAIL_BEFORE : Fault.FAIL_AFTER;
        }
        return null;
      }
    };
  }
}
