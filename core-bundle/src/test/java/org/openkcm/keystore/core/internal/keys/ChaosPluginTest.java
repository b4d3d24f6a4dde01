package org.openkcm.keystore.core.internal.keys;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openkcm.keystore.pluginhost.internal.TestPlugins;

/**
 * The randomized fault run over an out-of-process backend: L2/L3 in the reference Go plugin (bbolt,
 * a real process behind the go-plugin host: handshake, AutoMTLS, Unix socket), L4 in InMemory, 10%
 * of backend calls failed before or after the backend did the work. The body and its invariants:
 * {@link FaultRuns#injected}; replay with {@code -Dkeystore.fault.seed=N}.
 */
class ChaosPluginTest {
  @TempDir Path dir;

  @Test
  @Timeout(300)
  void tenThousandFaultedOperationsOverAGoPluginLeaveNoOrphanAndLoseNoAcknowledgedWrite()
      throws Exception {
    try (TestPlugins.Running plugin = TestPlugins.bbolt("gobolt", dir)) {
      long start = System.nanoTime();
      FaultRuns.injected(
          "go-plugin",
          dir,
          start,
          plugin.keystore(),
          FaultRuns.Order.EDGE_FIRST,
          new ChaosRun.Limits(8, 30, 100_000),
          1000,
          FaultRuns.StorageCheck.NONE);
    }
  }
}
