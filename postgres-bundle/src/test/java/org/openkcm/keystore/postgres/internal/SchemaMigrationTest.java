package org.openkcm.keystore.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.postgres.testing.PostgresServer;
import org.openkcm.keystore.spi.BackendState;
import org.openkcm.keystore.spi.Keystore;

/**
 * The bundle creates and migrates its schema: versioned, idempotent, safe with several runtimes
 * starting at once.
 */
class SchemaMigrationTest {
  private static PostgresServer pg;

  @BeforeAll
  static void startPostgres() {
    pg = PostgresServer.start();
  }

  @AfterAll
  static void stopPostgres() {
    pg.close();
  }

  @Test
  void eightRuntimesStartingAtOnceMigrateOnceAndAllServe() throws Exception {
    int n = 8;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Keystore>> started = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      started.add(
          pool.submit(
              () -> {
                go.await();
                Keystore k = TestKeystores.postgres(pg, "racing", 2);
                // the first call migrates (the constructor does not): all eight race here
                assertThat(k.list(org.openkcm.keystore.model.KeyFilter.all()).items()).isEmpty();
                return k;
              }));
    }
    go.countDown();
    List<Keystore> keystores = new ArrayList<>();
    for (Future<Keystore> f : started) {
      keystores.add(f.get(60, TimeUnit.SECONDS));
    }
    pool.shutdown();
    assertThat(
            pg.psql(
                PostgresServer.DATABASE,
                "SELECT string_agg(version::text, ',' ORDER BY version) FROM racing.schema_version"))
        .isEqualTo(
            java.util.stream.IntStream.rangeClosed(1, SchemaMigrator.latest())
                .mapToObj(String::valueOf)
                .collect(java.util.stream.Collectors.joining(",")));
    assertThat(
            pg.psql(
                PostgresServer.DATABASE,
                "SELECT count(*) FROM pg_indexes WHERE schemaname = 'racing'"))
        .as("primary key + 6 filter indexes + schema_version key")
        .isEqualTo("8");
    for (Keystore k : keystores) {
      assertThat(k.health().state()).isEqualTo(BackendState.UP);
      TestKeystores.close(k);
    }
    // a restart (a new instance on the migrated schema) applies nothing again
    Keystore again = TestKeystores.postgres(pg, "racing");
    again.list(org.openkcm.keystore.model.KeyFilter.all());
    assertThat(pg.psql(PostgresServer.DATABASE, "SELECT count(*) FROM racing.schema_version"))
        .isEqualTo(String.valueOf(SchemaMigrator.latest()));
    TestKeystores.close(again);
  }

  @Test
  void aSchemaNewerThanTheBundleIsRefusedAndLeftAlone() throws Exception {
    Keystore first = TestKeystores.postgres(pg, "newer");
    first.list(org.openkcm.keystore.model.KeyFilter.all());
    TestKeystores.close(first);
    pg.psql(
        PostgresServer.DATABASE,
        "INSERT INTO newer.schema_version (version, description) VALUES (99, 'from a later release')");

    Keystore older = TestKeystores.postgres(pg, "newer");
    try {
      assertThatThrownBy(() -> older.retrieve(KeyRef.of("k", 1)))
          .isInstanceOf(BackendUnavailableException.class)
          .hasMessageContaining("version 99");
      assertThat(older.health().state()).isEqualTo(BackendState.UNAVAILABLE);
      assertThat(older.health().detail()).contains("version 99");
      assertThat(pg.psql(PostgresServer.DATABASE, "SELECT max(version) FROM newer.schema_version"))
          .isEqualTo("99");
    } finally {
      TestKeystores.close(older);
    }
  }

  @Test
  void aFailedMigrationLeavesNothingBehind() throws Exception {
    // a table of the name the first step creates already exists: the step fails, the transaction
    // rolls back
    pg.psql(
        PostgresServer.DATABASE, "CREATE SCHEMA blocked; CREATE TABLE blocked.key_records (x int)");
    Keystore k = TestKeystores.postgres(pg, "blocked");
    try {
      assertThatThrownBy(() -> k.list(org.openkcm.keystore.model.KeyFilter.all()))
          .isInstanceOf(BackendUnavailableException.class);
      assertThat(
              pg.psql(
                  PostgresServer.DATABASE,
                  "SELECT count(*) FROM pg_tables WHERE schemaname = 'blocked'"))
          .as("no schema_version table, no index: only the table that was there")
          .isEqualTo("1");
    } finally {
      TestKeystores.close(k);
    }
  }
}
