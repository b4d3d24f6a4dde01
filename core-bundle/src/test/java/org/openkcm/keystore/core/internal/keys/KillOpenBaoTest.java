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
 * A real crash of the storage: OpenBao (Raft storage on disk) is killed with SIGKILL twice while
 * the crypto core runs a write-heavy random mix against it, and restarted (same storage, unsealed);
 * then one reconcile, and the same invariants as the injected-fault runs: every acknowledged write
 * survived the kills, nothing half-done, no orphan, no plaintext. The body: {@link
 * FaultRuns#killed}.
 */
class KillOpenBaoTest {
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
  @Timeout(240)
  void acknowledgedWritesSurviveKillNineOfOpenBaoMidRun() throws Exception {
    bao = OpenBaoServer.startPersistent();
    long start = System.nanoTime();
    openbao = TestKeystores.openBao(bao, "kill");
    FaultRuns.killed("openbao-kill9", "OpenBao", dir, start, openbao, bao::kill, bao::restart);
  }
}
