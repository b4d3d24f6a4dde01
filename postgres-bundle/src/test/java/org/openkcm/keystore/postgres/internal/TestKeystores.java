package org.openkcm.keystore.postgres.internal;

import org.openkcm.keystore.postgres.testing.PostgresServer;
import org.openkcm.keystore.spi.Keystore;

/**
 * Builds a {@link PostgresKeystore} against a test server outside OSGi, for this and other modules'
 * tests (published in the test-jar; the constructor it uses is package-private on purpose).
 */
public final class TestKeystores {
  private TestKeystores() {}

  /**
   * @return a backend named {@code postgres} in {@code schema}, password from the server's password
   *     file, no TLS, connect 3 s, statement 5 s
   */
  public static Keystore postgres(PostgresServer pg, String schema) {
    return postgres(pg, schema, 10);
  }

  public static Keystore postgres(PostgresServer pg, String schema, int poolSize) {
    return new PostgresKeystore(settings(pg, schema).poolSize(poolSize).build());
  }

  static PgSettings.Builder settings(PostgresServer pg, String schema) {
    return PgSettings.builder()
        .url(pg.jdbcUrl())
        .user(pg.user())
        .passwordFile(pg.passwordFile().toString())
        .schema(schema)
        .tls("disable", null)
        .timeouts(3000, 5000);
  }

  /**
   * @return as {@link #postgres(PostgresServer, String)} with a 1 s connect (and pool checkout)
   *     timeout, so calls fail fast while a crash test has the server down
   */
  public static Keystore postgresFailingFast(PostgresServer pg, String schema) {
    return new PostgresKeystore(settings(pg, schema).timeouts(1000, 3000).build());
  }

  /** Closes the backend's pool. */
  public static void close(Keystore k) {
    if (k instanceof PostgresKeystore p) {
      p.deactivate();
    }
  }
}
