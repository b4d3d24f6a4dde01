package org.openkcm.keystore.postgres.internal;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.openkcm.keystore.postgres.testing.PostgresServer;
import org.openkcm.keystore.spi.Keystore;
import org.openkcm.keystore.testkit.KeystoreConformanceTest;

/**
 * The PostgreSQL backend passes the conformance kit against a real PostgreSQL (one server per
 * class).
 */
class PostgresConformanceTest extends KeystoreConformanceTest {
  private static PostgresServer pg;

  @BeforeAll
  static void startPostgres() {
    pg = PostgresServer.start();
  }

  @AfterAll
  static void stopPostgres() {
    pg.close();
  }

  @Override
  protected Keystore createKeystore() {
    return TestKeystores.postgres(pg, "conformance");
  }

  @Override
  protected Keystore unreachableKeystore() {
    return new PostgresKeystore(
        TestKeystores.settings(pg, "conformance")
            .url("jdbc:postgresql://127.0.0.1:1/keystore")
            .timeouts(1000, 3000)
            .build());
  }

  @Override
  protected void disposeKeystore(Keystore k) {
    TestKeystores.close(k);
  }
}
