package org.openkcm.keystore.core.internal.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openkcm.keystore.postgres.internal.TestKeystores;
import org.openkcm.keystore.postgres.testing.PostgresServer;
import org.openkcm.keystore.spi.Keystore;

/**
 * The randomized fault run against a real PostgreSQL (started by the test; fails if it cannot
 * start): L2/L3 in PostgreSQL, L4 in InMemory, so every cascade and every L4 create touches both.
 * The invariants of {@link FaultRuns#injected}, plus: no key material in any table (text dump) nor
 * in the database files and WAL on disk. Replay with {@code -Dkeystore.fault.seed=N}.
 */
class ChaosPostgresTest {
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
  @Timeout(300)
  void tenThousandFaultedOperationsOnPostgresLeaveNoOrphanAndLoseNoAcknowledgedWrite()
      throws Exception {
    pg = PostgresServer.start();
    long start = System.nanoTime();
    postgres = TestKeystores.postgres(pg, "chaos");
    FaultRuns.injected(
        "postgres",
        dir,
        start,
        postgres,
        FaultRuns.Order.EDGE_FIRST,
        new ChaosRun.Limits(8, 30, 100_000),
        1000,
        run -> {
          RawMaterialScan scan = new RawMaterialScan(run.model.materials);
          String dump = pg.dumpSchema("chaos");
          assertThat(dump).as("the tables hold the run's records").contains("\\\\x");
          assertThat(scan.inText(dump, "a table of schema chaos"))
              .as("key material in a table")
              .isEmpty();
          assertThat(scan.inRaw(pg.rawFiles(), "the database files and WAL"))
              .as("key material on disk")
              .isEmpty();
        });
  }
}
