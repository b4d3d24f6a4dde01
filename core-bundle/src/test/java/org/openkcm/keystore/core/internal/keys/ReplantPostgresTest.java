package org.openkcm.keystore.core.internal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openkcm.keystore.api.CreateKeyRequest;
import org.openkcm.keystore.core.internal.cache.CacheSettings;
import org.openkcm.keystore.core.internal.cache.KeyCache;
import org.openkcm.keystore.core.internal.crypto.LocalRootKeyProvider;
import org.openkcm.keystore.model.IntegrityException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.postgres.internal.TestKeystores;
import org.openkcm.keystore.postgres.testing.PostgresServer;
import org.openkcm.keystore.spi.Keystore;

/**
 * Delete-and-replant on a real PostgreSQL, by an attacker with DML rights on the table (no DDL):
 * the saved row of a destroyed key is inserted again with its old revision and its old {@code
 * written_at}; the trigger sets {@code written_at} to the time of the insert, so the row is
 * refused.
 */
class ReplantPostgresTest {
  private static final Duration TOLERANCE = Duration.ofSeconds(2);
  private static PostgresServer pg;

  @TempDir Path dir;
  private Keystore postgres;
  private LocalRootKeyProvider root;
  private TestDirectory directory;
  private CryptoKeyService core;

  @BeforeAll
  static void startPostgres() {
    pg = PostgresServer.start();
  }

  @AfterAll
  static void stopPostgres() {
    pg.close();
  }

  @BeforeEach
  void setUp() {
    postgres = TestKeystores.postgres(pg, "replant");
    directory = new TestDirectory(postgres);
    root = new LocalRootKeyProvider(dir.resolve("master.key"), n -> null);
    core = node();
  }

  @AfterEach
  void tearDown() {
    core.close();
    root.close();
    TestKeystores.close(postgres);
  }

  private CryptoKeyService node() {
    CryptoKeyService s =
        new CryptoKeyService(directory, root, new KeyCache(CacheSettings.defaults()));
    s.writeTimeTolerance(TOLERANCE);
    return s;
  }

  private String sql(String statement) {
    return pg.psql(PostgresServer.DATABASE, statement);
  }

  @Test
  void aDestroyedKeysSavedRowInsertedAgainNeverOpens() throws Exception {
    KeyMetadata l2 =
        core.create(CreateKeyRequest.builder(KeyTier.L2, Owner.tenant("acme")).build());
    KeyMetadata l3 =
        core.create(
            CreateKeyRequest.builder(KeyTier.L3, Owner.service("svc")).parentId(l2.id()).build());
    String where = " WHERE key_id = '" + l3.id() + "' AND version = 1";
    sql("CREATE TABLE replant.saved AS SELECT * FROM replant.key_records" + where);
    Instant saved = Instant.now();
    core.destroy(l3.id(), false);
    assertThat(sql("SELECT status FROM replant.key_records" + where)).isEqualTo("DESTROYED");
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> Instant.now().isAfter(saved.plus(TOLERANCE).plusMillis(200)));
    sql("DELETE FROM replant.key_records" + where);
    sql("INSERT INTO replant.key_records SELECT * FROM replant.saved"); // old written_at as well
    assertThat(sql("SELECT status FROM replant.key_records" + where)).isEqualTo("ACTIVE");
    assertThat(
            sql("SELECT written_at > now() - interval '1 second' FROM replant.key_records" + where))
        .as("the trigger, not the writer, sets written_at")
        .isEqualTo("t");

    core.close();
    core = node();
    CryptoKeyService s = core;
    assertThatThrownBy(() -> s.open(l3.ref()))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining("written again");
    assertThatThrownBy(() -> s.encrypt(l3.id(), new byte[1], null))
        .isInstanceOf(IntegrityException.class);
    // an untouched record older than the tolerance still opens
    assertThat(s.open(l2.ref()).metadata().status()).isEqualTo(KeyStatus.ACTIVE);
  }
}
