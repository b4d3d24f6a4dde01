package org.openkcm.keystore.core.internal.keys;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openkcm.keystore.postgres.internal.TestKeystores;
import org.openkcm.keystore.postgres.testing.PostgresServer;
import org.openkcm.keystore.spi.Keystore;

/**
 * A real crash of the storage: the PostgreSQL postmaster is killed with SIGKILL twice while the
 * crypto core runs a write-heavy random mix against it, and restarted (same storage, unsealed);
 * then one reconcile (crash recovery replays the WAL), and the same invariants as the
 * injected-fault runs: every acknowledged write survived the kills, nothing half-done, no orphan,
 * no plaintext. The body: {@link FaultRuns#killed}.
 */
class KillPostgresTest {
  @TempDir Path dir;
  private PostgresServer pg;
  private Keystore postgres;

  @AfterEach
  void tearDown() {
    if (postgres != null) {
      TestKeystores.close(postgres);
    }
    if (pg != null) {
      pg.close();
    }
  }

  @Test
  @Timeout(240)
  void acknowledgedWritesSurviveKillNineOfPostgresMidRun() throws Exception {
    pg = PostgresServer.start();
    long start = System.nanoTime();
    postgres = TestKeystores.postgresFailingFast(pg, "kill");
    FaultRuns.killed("postgres-kill9", "PostgreSQL", dir, start, postgres, pg::kill, pg::restart);
  }
}
