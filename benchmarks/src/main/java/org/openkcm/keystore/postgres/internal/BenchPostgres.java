package org.openkcm.keystore.postgres.internal;

import org.openkcm.keystore.spi.Keystore;

/**
 * The PostgreSQL backend built outside OSGi for the benchmarks, in the bundle's internal package
 * (split across jars on a plain classpath, never in a bundle) because the embedding constructor is
 * package-private.
 */
public final class BenchPostgres {
  private BenchPostgres() {}

  /**
   * @return the real {@link PostgresKeystore} with production timeouts (connect 2 s, statement 5
   *     s), no TLS on loopback
   */
  public static Keystore keystore(
      String url, String user, String passwordFile, String schema, int poolSize) {
    return new PostgresKeystore(
        PgSettings.builder()
            .url(url)
            .user(user)
            .passwordFile(passwordFile)
            .schema(schema)
            .poolSize(poolSize)
            .tls("disable", null)
            .timeouts(2000, 5000)
            .build());
  }

  /**
   * @return the backend's own retrieve statement, for the bare-JDBC baseline to run the same SQL
   */
  public static String selectSql(String schema) {
    return new RecordRows(schema).select;
  }

  /**
   * @return the backend's own insert statement (15 parameters, see {@link RecordRows#bindInsert})
   */
  public static String insertSql(String schema) {
    return new RecordRows(schema).insert;
  }

  public static void close(Keystore k) {
    ((PostgresKeystore) k).deactivate();
  }
}
