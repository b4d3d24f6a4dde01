package org.openkcm.keystore.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.ConcurrentUpdateException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyNotFoundException;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.postgres.testing.PostgresServer;
import org.openkcm.keystore.spi.BackendHealth;
import org.openkcm.keystore.spi.BackendState;
import org.openkcm.keystore.testkit.Records;

/**
 * Real server failures map to the typed model: connection loss (server stopped) is
 * BackendUnavailable with a retry hint and recovers by itself; a read-only server (as a hot standby
 * is) is BackendUnavailable naming it, health DEGRADED; a real serialization failure is
 * ConcurrentUpdate; a wrong password says "authentication failed" without the password. Each checks
 * what the caller saw and what the table holds.
 */
class ErrorMappingTest {
  private PostgresServer pg;
  private PostgresKeystore keystore;
  private final Records records = new Records();

  @BeforeEach
  void start() {
    pg = PostgresServer.start();
    keystore = (PostgresKeystore) TestKeystores.postgres(pg, "errors");
  }

  @AfterEach
  void stop() {
    keystore.deactivate();
    pg.close();
  }

  private KeyMetadata md(String name) throws KeystoreException {
    return records.metadata(name, 1, KeyTier.L3, records.tenant("acme")).build();
  }

  @Test
  void connectionLossIsBackendUnavailableWithRetryHintAndRecovers() throws Exception {
    KeyMetadata before = md("before");
    keystore.store(before, Records.sealed(32));
    pg.kill();

    KeyMetadata during = md("during");
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> keystore.store(during, Records.sealed(32)))
        .isInstanceOf(BackendUnavailableException.class)
        .satisfies(e -> assertThat(((BackendUnavailableException) e).retryAfter()).isPresent())
        .satisfies(e -> assertThat(e.getCause()).as("no driver class as cause").isNull());
    BackendHealth h = keystore.health();
    assertThat(h.state()).isEqualTo(BackendState.UNAVAILABLE);
    assertThat(Duration.ofNanos(System.nanoTime() - t0))
        .as("bounded by the timeouts")
        .isLessThan(Duration.ofSeconds(15));

    pg.restart();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> keystore.health().state() == BackendState.UP);
    assertThat(keystore.retrieve(before.ref()).metadata()).isEqualTo(before);
    assertThatThrownBy(() -> keystore.retrieve(during.ref()))
        .as("the failed store left nothing")
        .isInstanceOf(KeyNotFoundException.class);
  }

  @Test
  void aReadOnlyServerIsBackendUnavailableNamingItAndHealthDegraded() throws Exception {
    KeyMetadata kept = md("kept");
    keystore.store(kept, Records.sealed(32));
    pg.psql(
        PostgresServer.DATABASE,
        "ALTER DATABASE " + PostgresServer.DATABASE + " SET default_transaction_read_only = on");
    keystore.pool().evictAll();

    assertThatThrownBy(() -> keystore.store(md("refused"), Records.sealed(32)))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("read-only standby")
        .hasMessageContaining("25006");
    assertThat(keystore.health().state()).isEqualTo(BackendState.DEGRADED);
    assertThat(keystore.health().detail()).contains("read-only");
    assertThat(keystore.retrieve(kept.ref()).metadata()).as("reads still work").isEqualTo(kept);

    pg.psql(
        "postgres",
        "ALTER DATABASE " + PostgresServer.DATABASE + " SET default_transaction_read_only = off");
    keystore.pool().evictAll();
    assertThat(pg.psql(PostgresServer.DATABASE, "SELECT count(*) FROM errors.key_records"))
        .isEqualTo("1");
  }

  @Test
  void aRealHotStandbyServesReadsAndRefusesWritesNamingIt() throws Exception {
    KeyMetadata replicated = md("replicated");
    byte[] sealed = Records.sealed(32);
    keystore.store(replicated, sealed);
    try (PostgresServer standby = pg.startStandby()) {
      PostgresKeystore onStandby =
          new PostgresKeystore(TestKeystores.settings(pg, "errors").url(standby.jdbcUrl()).build());
      try {
        await()
            .atMost(Duration.ofSeconds(30))
            .ignoreExceptions()
            .until(
                () ->
                    java.util.Arrays.equals(onStandby.retrieve(replicated.ref()).sealed(), sealed));
        assertThatThrownBy(() -> onStandby.store(md("on-standby"), Records.sealed(32)))
            .isInstanceOf(BackendUnavailableException.class)
            .hasMessageContaining("read-only standby")
            .satisfies(e -> assertThat(((BackendUnavailableException) e).retryAfter()).isPresent());
        assertThat(onStandby.health().state()).isEqualTo(BackendState.DEGRADED);
        assertThat(onStandby.health().detail()).contains("standby");
        assertThat(standby.psql(PostgresServer.DATABASE, "SELECT pg_is_in_recovery()"))
            .isEqualTo("t");
      } finally {
        onStandby.deactivate();
      }
    }
    assertThat(pg.psql(PostgresServer.DATABASE, "SELECT count(*) FROM errors.key_records"))
        .as("nothing written anywhere")
        .isEqualTo("1");
  }

  @Test
  void aRealSerializationFailureMapsToConcurrentUpdate() throws Exception {
    pg.psql(
        PostgresServer.DATABASE,
        "CREATE TABLE errors_ser (id int PRIMARY KEY, v int); INSERT INTO errors_ser VALUES (1, 0)");
    SQLException failure = null;
    try (Connection a = jdbc();
        Connection b = jdbc()) {
      for (Connection c : new Connection[] {a, b}) {
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
        try (Statement s = c.createStatement()) {
          s.executeQuery("SELECT v FROM errors_ser WHERE id = 1").close();
        }
      }
      try (Statement s = a.createStatement()) {
        s.executeUpdate("UPDATE errors_ser SET v = 1 WHERE id = 1");
      }
      a.commit();
      try (Statement s = b.createStatement()) {
        s.executeUpdate("UPDATE errors_ser SET v = 2 WHERE id = 1");
      } catch (SQLException e) {
        failure = e;
      }
    }
    assertThat((Object) failure).isNotNull();
    assertThat(failure.getSQLState()).isEqualTo("40001");
    assertThat(PgErrors.map("postgres", md("ser").ref(), "update", failure))
        .isInstanceOf(ConcurrentUpdateException.class);
  }

  @Test
  void aWrongPasswordIsUnavailableAndNeverQuoted() throws Exception {
    String wrong = "not-the-password-" + System.nanoTime();
    PostgresKeystore bad =
        new PostgresKeystore(
            TestKeystores.settings(pg, "errors")
                .passwordFile(null)
                .passwordEnv("KS_TEST_PW")
                .build(name -> "KS_TEST_PW".equals(name) ? wrong : null));
    try {
      assertThatThrownBy(() -> bad.retrieve(md("x").ref()))
          .isInstanceOf(BackendUnavailableException.class)
          .satisfies(
              e -> assertThat(e.getMessage()).doesNotContain(wrong).doesNotContain(pg.password()));
      assertThat(bad.health().state()).isEqualTo(BackendState.UNAVAILABLE);
      assertThat(bad.health().detail()).doesNotContain(wrong);
      assertThat(bad.info().toString() + bad.pool().settings).doesNotContain(wrong);
    } finally {
      bad.deactivate();
    }
  }

  private Connection jdbc() throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", pg.user());
    p.setProperty("password", pg.password());
    return DriverManager.getConnection(pg.jdbcUrl(), p);
  }
}
