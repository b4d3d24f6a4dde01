package org.openkcm.keystore.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.postgres.testing.PostgresServer;
import org.openkcm.keystore.spi.BackendState;
import org.openkcm.keystore.testkit.Records;

/**
 * sslmode=verify-full against a real PostgreSQL that only accepts TLS: works with the right CA and
 * host name; a plain connection, an unknown CA and a host name the certificate does not name are
 * refused.
 */
class TlsTest {
  private static PostgresServer pg;
  @TempDir Path dir;

  @BeforeAll
  static void startPostgres() {
    pg = PostgresServer.startTls();
  }

  @AfterAll
  static void stopPostgres() {
    pg.close();
  }

  private PostgresKeystore keystore(String url, String mode, String ca) {
    return new PostgresKeystore(TestKeystores.settings(pg, "tls").url(url).tls(mode, ca).build());
  }

  @Test
  void verifyFullWithTheServersCaWorks() throws Exception {
    PostgresKeystore k = keystore(pg.jdbcUrl(), "verify-full", pg.caFile().toString());
    try {
      Records records = new Records();
      KeyMetadata md = records.metadata("tls", 1, KeyTier.L2, records.tenant("acme")).build();
      byte[] sealed = Records.sealed(40);
      k.store(md, sealed);
      assertThat(k.retrieve(md.ref()).sealed()).isEqualTo(sealed);
      assertThat(k.health().state()).isEqualTo(BackendState.UP);
      assertThat(pg.psql(PostgresServer.DATABASE, "SELECT count(*) FROM pg_stat_ssl WHERE ssl"))
          .isNotEqualTo("0");
    } finally {
      k.deactivate();
    }
  }

  @Test
  void plainConnectionsAreRefusedByTheServer() {
    PostgresKeystore k = keystore(pg.jdbcUrl(), "disable", null);
    try {
      assertThatThrownBy(() -> k.list(org.openkcm.keystore.model.KeyFilter.all()))
          .isInstanceOf(BackendUnavailableException.class);
    } finally {
      k.deactivate();
    }
  }

  @Test
  void anUnknownCaOrAWrongHostNameIsRefused() throws Exception {
    Path otherCa = dir.resolve("other-ca.pem");
    Process p =
        new ProcessBuilder(
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=other",
                "-keyout",
                dir.resolve("k.pem").toString(),
                "-out",
                otherCa.toString())
            .redirectErrorStream(true)
            .start();
    p.getInputStream().readAllBytes();
    assertThat(p.waitFor()).isZero();
    assertThat(Files.exists(otherCa)).isTrue();
    PostgresKeystore unknownCa = keystore(pg.jdbcUrl(), "verify-full", otherCa.toString());
    // "localhost" reaches the same server, but the certificate names 127.0.0.1 only
    String byName = pg.jdbcUrl().replace("127.0.0.1", "localhost");
    PostgresKeystore wrongHost = keystore(byName, "verify-full", pg.caFile().toString());
    PostgresKeystore caOnly = keystore(byName, "verify-ca", pg.caFile().toString());
    try {
      assertThatThrownBy(() -> unknownCa.list(org.openkcm.keystore.model.KeyFilter.all()))
          .isInstanceOf(BackendUnavailableException.class);
      assertThat(unknownCa.health().state()).isEqualTo(BackendState.UNAVAILABLE);
      assertThatThrownBy(() -> wrongHost.list(org.openkcm.keystore.model.KeyFilter.all()))
          .isInstanceOf(BackendUnavailableException.class);
      assertThat(caOnly.list(org.openkcm.keystore.model.KeyFilter.all()).items())
          .as(
              "the same name with verify-ca (no host name check) connects: only the name check refused it")
          .isNotNull();
    } finally {
      caOnly.deactivate();
      unknownCa.deactivate();
      wrongHost.deactivate();
    }
  }
}
