package org.openkcm.keystore.postgres.internal;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.openkcm.keystore.spi.BackendHealth;
import org.openkcm.keystore.spi.BackendState;

/**
 * Health from one bounded query (pool checkout bounded by the connect timeout, the query by {@value
 * #QUERY_SECONDS} s): whether the server is a standby or read-only (DEGRADED: reads work, writes
 * fail), whether the schema is there at the version this bundle migrates to, and the latency
 * (DEGRADED when slower than half the statement timeout). No answer is UNAVAILABLE. Never throws.
 */
final class HealthCheck {
  static final int QUERY_SECONDS = 2;

  private HealthCheck() {}

  static BackendHealth check(PgPool pool, String schema) {
    long start = System.nanoTime();
    try (Connection c = pool.connection();
        Statement s = c.createStatement()) {
      s.setQueryTimeout(QUERY_SECONDS);
      try (ResultSet r =
          s.executeQuery(
              "SELECT pg_is_in_recovery(), current_setting('transaction_read_only'),"
                  + " (SELECT coalesce(max(version), 0) FROM "
                  + schema
                  + ".schema_version)")) {
        r.next();
        Duration latency = Duration.ofNanos(System.nanoTime() - start);
        if (r.getBoolean(1)) {
          return BackendHealth.of(
              BackendState.DEGRADED, "read-only standby (pg_is_in_recovery): writes fail", latency);
        }
        if ("on".equals(r.getString(2))) {
          return BackendHealth.of(
              BackendState.DEGRADED,
              "read-only (default_transaction_read_only): writes fail",
              latency);
        }
        if (r.getInt(3) != SchemaMigrator.latest()) {
          return BackendHealth.of(
              BackendState.UNAVAILABLE,
              "schema "
                  + schema
                  + " is at version "
                  + r.getInt(3)
                  + ", expected "
                  + SchemaMigrator.latest(),
              latency);
        }
        return latency.compareTo(pool.settings.statementTimeout.dividedBy(2)) > 0
            ? BackendHealth.of(
                BackendState.DEGRADED, "slow: " + latency.toMillis() + " ms", latency)
            : BackendHealth.up(latency);
      }
    } catch (SQLException e) {
      String state = PgErrors.state(e);
      return BackendHealth.of(
          BackendState.UNAVAILABLE,
          (PgErrors.isConnectionLoss(e) ? "no connection" : "query failed")
              + " (SQLSTATE "
              + (state.isEmpty() ? "none" : state)
              + ")",
          Duration.ofNanos(System.nanoTime() - start));
    } catch (RuntimeException e) {
      return BackendHealth.of(
          BackendState.UNAVAILABLE,
          "client error (" + e.getClass().getSimpleName() + ")",
          Duration.ofNanos(System.nanoTime() - start));
    }
  }
}
