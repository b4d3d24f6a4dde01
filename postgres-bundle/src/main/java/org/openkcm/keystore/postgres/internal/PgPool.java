package org.openkcm.keystore.postgres.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The connection pool: HikariCP over a pgjdbc {@link PGSimpleDataSource} we configure ourselves (no
 * driver lookup by class name, which does not work across OSGi class loaders). Every wait is
 * bounded: connect, login, pool checkout, socket read, and the server-side statement timeout.
 */
final class PgPool implements AutoCloseable {
  final PgSettings settings;
  private final HikariDataSource pool;

  PgPool(PgSettings settings, String name) {
    this.settings = settings;
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(settings.url);
    ds.setUser(settings.user);
    ds.setPassword(settings.password());
    ds.setSslMode(settings.sslMode);
    if (settings.sslRootCert != null) {
      ds.setSslRootCert(settings.sslRootCert.toString());
    }
    int connectSeconds = seconds(settings.connectTimeout.toMillis());
    ds.setConnectTimeout(connectSeconds);
    ds.setLoginTimeout(connectSeconds);
    // the socket waits a little longer than the server's own statement timeout, so the server's
    // answer wins
    ds.setSocketTimeout(seconds(settings.statementTimeout.toMillis()) + 2);
    ds.setTcpKeepAlive(true);
    ds.setApplicationName("openkcm-keystore");
    ds.setOptions(
        "-c statement_timeout="
            + settings.statementTimeout.toMillis()
            + " -c idle_in_transaction_session_timeout="
            + Math.max(10_000, 2 * settings.statementTimeout.toMillis()));

    HikariConfig c = new HikariConfig();
    c.setPoolName("openkcm-" + name);
    c.setDataSource(ds);
    c.setMaximumPoolSize(settings.poolSize);
    c.setMinimumIdle(Math.min(2, settings.poolSize));
    c.setConnectionTimeout(Math.max(250, settings.connectTimeout.toMillis()));
    c.setValidationTimeout(Math.max(250, Math.min(settings.connectTimeout.toMillis(), 2000)));
    // start even when the database is down: the backend reports UNAVAILABLE and recovers by itself
    c.setInitializationFailTimeout(-1);
    c.setAutoCommit(true);
    c.setKeepaliveTime(60_000);
    c.setMaxLifetime(30 * 60_000);
    this.pool = new HikariDataSource(c);
  }

  Connection connection() throws SQLException {
    return pool.getConnection();
  }

  /** Closes every idle connection and makes in-use ones close on return, e.g. after a failover. */
  void evictAll() {
    if (pool.getHikariPoolMXBean() != null) {
      pool.getHikariPoolMXBean().softEvictConnections();
    }
  }

  private static int seconds(long millis) {
    return (int) Math.max(1, (millis + 999) / 1000);
  }

  @Override
  public void close() {
    pool.close();
  }
}
