package org.openkcm.keystore.core.internal.keys;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openkcm.keystore.openbao.internal.TestKeystores;
import org.openkcm.keystore.openbao.testing.OpenBaoServer;
import org.openkcm.keystore.spi.Keystore;

/**
 * The randomized fault run against a real OpenBao (dev server started by the test; fails if bao
 * cannot start): as the default routing does, L2/L3 live in OpenBao and L4 in InMemory, so every
 * cascade and every L4 create touches both. The body and its invariants: {@link
 * FaultRuns#injected}; replay with {@code -Dkeystore.fault.seed=N}.
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
    bao = OpenBaoServer.startDev();
    long start = System.nanoTime();
    openbao = TestKeystores.openBao(bao, "chaos");
    FaultRuns.injected(
        "openbao",
        dir,
        start,
        openbao,
        FaultRuns.Order.EDGE_FIRST,
        new ChaosRun.Limits(8, 30, 100_000),
        1000,
        FaultRuns.StorageCheck.NONE);
  }
}
