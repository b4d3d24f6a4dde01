package org.openkcm.keystore.core.internal.keys;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openkcm.keystore.inmemory.internal.InMemoryKeystore;

/**
 * 10,000 random operations on two InMemory backends (L2/L3 on one, L4 on the other, so cascades
 * span two backends), 12% of backend calls failed before or after the backend did the work. The
 * body: {@link FaultRuns#injected}; replay a seed with {@code -Dkeystore.fault.seed=N}.
 */
class ChaosInMemoryTest {
  @TempDir Path dir;

  @Test
  @Timeout(120)
  void tenThousandFaultedOperationsLeaveNoOrphanAndLoseNoAcknowledgedWrite() throws Exception {
    long start = System.nanoTime();
    InMemoryKeystore tiered = new InMemoryKeystore("tiered", 1_000_000);
    try {
      FaultRuns.injected(
          "inmemory",
          dir,
          start,
          tiered,
          FaultRuns.Order.TESTED_FIRST,
          new ChaosRun.Limits(20, 80, 100_000),
          500,
          FaultRuns.StorageCheck.NONE);
    } finally {
      tiered.close();
    }
  }
}
