package org.openkcm.keystore.itests.postgres;

import org.openkcm.keystore.postgres.testing.PostgresServer;

/**
 * Driver side only (never loaded inside the framework): starts one real PostgreSQL through the
 * postgres-bundle's harness before the framework starts and hands what the in-container tests need
 * over as system properties. Stopped by {@link PostgresPaxExam} after the class and by a shutdown
 * hook.
 */
final class PgFixture {
  static final String URL = "itest.pg.url";
  static final String USER = "itest.pg.user";
  static final String PASSWORD_FILE = "itest.pg.passwordFile";
  static final String PASSWORD = "itest.pg.password";
  static final String PORT = "itest.pg.port";
  static final String PSQL = "itest.pg.psql";
  private static PostgresServer server;

  private PgFixture() {}

  static synchronized void start() {
    if (server != null) {
      return;
    }
    PostgresServer s = PostgresServer.start();
    server = s;
    Runtime.getRuntime().addShutdownHook(new Thread(s::close, "stop-postgres-itest"));
    System.setProperty(URL, s.jdbcUrl());
    System.setProperty(USER, s.user());
    System.setProperty(PASSWORD_FILE, s.passwordFile().toString());
    System.setProperty(PASSWORD, s.password());
    System.setProperty(PORT, String.valueOf(s.port()));
    System.setProperty(PSQL, PostgresServer.findBinaries().resolve("psql").toString());
  }

  static synchronized void stop() {
    if (server != null) {
      server.close();
      server = null;
    }
  }
}
