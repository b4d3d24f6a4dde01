package org.openkcm.keystore.itests.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code psql} against the test server over TCP with the test password (inside the
 * container).
 */
final class Psql {
  private Psql() {}

  static String query(String sql) {
    ProcessBuilder pb =
        new ProcessBuilder(
                List.of(
                    required(PgFixture.PSQL),
                    "-X",
                    "-q",
                    "-At",
                    "-v",
                    "ON_ERROR_STOP=1",
                    "-h",
                    "127.0.0.1",
                    "-p",
                    required(PgFixture.PORT),
                    "-U",
                    required(PgFixture.USER),
                    "-d",
                    "keystore",
                    "-c",
                    sql))
            .redirectErrorStream(true);
    pb.environment().put("PGPASSWORD", required(PgFixture.PASSWORD));
    try {
      Process p = pb.start();
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new AssertionError("psql failed: " + new String(out, StandardCharsets.UTF_8));
      }
      return new String(out, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  static String required(String property) {
    String v = System.getProperty(property);
    if (v == null || v.isEmpty()) {
      throw new IllegalStateException(
          "system property " + property + " is not set: the driver did not start PostgreSQL");
    }
    return v;
  }
}
