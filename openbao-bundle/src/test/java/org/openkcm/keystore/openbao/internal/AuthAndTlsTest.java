package org.openkcm.keystore.openbao.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.openkcm.keystore.openbao.internal.Fixtures.l2;
import static org.openkcm.keystore.openbao.internal.Fixtures.sealed;

import com.google.gson.JsonParser;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.PermissionDeniedException;
import org.openkcm.keystore.openbao.testing.OpenBaoServer;
import org.openkcm.keystore.spi.BackendState;

/** AppRole login with renewal and re-login at max TTL; TLS trusting a CA file. */
class AuthAndTlsTest {

  @Test
  void appRoleTokenIsRenewedThenReplacedAtMaxTtlWhileOperationsKeepWorking() throws Exception {
    try (OpenBaoServer bao = OpenBaoServer.startDev()) {
      bao.cliOk("auth", "enable", "approle");
      bao.cliOk(
          "policy",
          "write",
          "kv-openkcm",
          policyFile(
              "path \"secret/*\" { capabilities = [\"create\", \"read\", \"update\", \"delete\", \"list\"] }\n"));
      bao.cliOk(
          "write",
          "auth/approle/role/openkcm",
          "token_ttl=2s",
          "token_max_ttl=5s",
          "token_policies=kv-openkcm");
      String roleId =
          JsonParser.parseString(
                  bao.cliOk("read", "-format=json", "auth/approle/role/openkcm/role-id"))
              .getAsJsonObject()
              .getAsJsonObject("data")
              .get("role_id")
              .getAsString();
      String secretId =
          JsonParser.parseString(
                  bao.cliOk("write", "-f", "-format=json", "auth/approle/role/openkcm/secret-id"))
              .getAsJsonObject()
              .getAsJsonObject("data")
              .get("secret_id")
              .getAsString();
      OpenBaoKeystore ks =
          new OpenBaoKeystore(
              BaoSettings.builder()
                  .address(bao.address())
                  .authMethod("approle")
                  .roleId(roleId)
                  .secretId(secretId)
                  .mount("secret")
                  .timeouts(1000, 3000)
                  .build(),
              "approle",
              65536);
      try {
        KeyMetadata m = l2("via-approle", "acme");
        ks.store(m, sealed(16));
        String firstToken = ks.connection().session().token;
        AppRoleLogin upkeep = ks.connection().appRole();

        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> upkeep.renewals.get() >= 1 && upkeep.logins.get() >= 2);

        assertThat(ks.connection().session().token).isNotEqualTo(firstToken);
        // once the first token has expired, only the new session can do this read
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> bao.cli("token", "lookup", firstToken).exitCode() != 0);
        assertThat(ks.retrieve(m.ref()).sealed()).hasSize(16);
        assertThat(ks.connection().session().toString())
            .doesNotContain(ks.connection().session().token);
      } finally {
        ks.deactivate();
      }

      OpenBaoKeystore wrong =
          new OpenBaoKeystore(
              BaoSettings.builder()
                  .address(bao.address())
                  .authMethod("approle")
                  .roleId(roleId)
                  .secretId("not-the-secret")
                  .mount("secret")
                  .build(),
              "approle",
              65536);
      assertThatThrownBy(() -> wrong.retrieve(KeyRef.of("via-approle", 1)))
          .isInstanceOf(PermissionDeniedException.class)
          .hasMessageContaining("auth/approle/login")
          .hasMessageNotContaining("not-the-secret");
      wrong.deactivate();
    }
  }

  @Test
  void tlsWorksWithTheCaFileAndFailsTypedWithoutIt() throws Exception {
    try (OpenBaoServer bao = OpenBaoServer.startDevTls()) {
      assertThat(bao.address()).startsWith("https://");
      OpenBaoKeystore trusted =
          new OpenBaoKeystore(
              Fixtures.settings(bao).tls(bao.caFile().toString(), null, null).build(),
              "tls",
              65536);
      KeyMetadata m = l2("over-tls", "acme");
      trusted.store(m, sealed(16));
      assertThat(trusted.retrieve(m.ref()).sealed()).hasSize(16);
      assertThat(trusted.health().state()).isEqualTo(BackendState.UP);
      trusted.deactivate();

      OpenBaoKeystore untrusted = Fixtures.keystore(bao, "tls");
      assertThatThrownBy(() -> untrusted.retrieve(m.ref()))
          .isInstanceOf(BackendUnavailableException.class)
          .hasMessageContaining("TLS");
      assertThat(untrusted.health().state()).isEqualTo(BackendState.UNAVAILABLE);
      untrusted.deactivate();
    }
  }

  @Test
  void mutualTlsWithAClientCertificate() throws Exception {
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("mtls");
    java.nio.file.Path[] server =
        TestCertificates.selfSigned(dir, "server", "SAN=ip:127.0.0.1", "EKU=serverAuth");
    java.nio.file.Path[] client =
        TestCertificates.selfSigned(dir, "client", "EKU=clientAuth", null);
    int port = OpenBaoServer.freeLoopbackPort();
    java.nio.file.Path hcl = dir.resolve("mtls.hcl");
    java.nio.file.Files.writeString(
        hcl,
        "listener \"tcp\" {\n  address = \"127.0.0.1:"
            + port
            + "\"\n"
            + "  tls_cert_file = \""
            + server[0]
            + "\"\n  tls_key_file = \""
            + server[1]
            + "\"\n"
            + "  tls_require_and_verify_client_cert = true\n  tls_client_ca_file = \""
            + client[0]
            + "\"\n}\n");
    try (OpenBaoServer bao = OpenBaoServer.startDev(hcl)) {
      // the first mutual handshake with a just-started server: on a loaded 2-core machine it can
      // take longer than the fixtures' 1 s connect timeout, which this test is not about
      BaoSettings.Builder mtls =
          Fixtures.settings(bao).address("https://127.0.0.1:" + port).timeouts(10_000, 10_000);
      OpenBaoKeystore withCert =
          new OpenBaoKeystore(
              mtls.tls(server[0].toString(), client[0].toString(), client[1].toString()).build(),
              "mtls",
              65536);
      KeyMetadata m = l2("over-mtls", "acme");
      withCert.store(m, sealed(16));
      assertThat(withCert.retrieve(m.ref()).sealed()).hasSize(16);
      assertThat(withCert.health().state()).isEqualTo(BackendState.UP);
      withCert.deactivate();

      OpenBaoKeystore noCert =
          new OpenBaoKeystore(mtls.tls(server[0].toString(), null, null).build(), "mtls", 65536);
      assertThatThrownBy(() -> noCert.retrieve(m.ref()))
          .isInstanceOf(BackendUnavailableException.class);
      noCert.deactivate();
    }
  }

  @Test
  void aNamespaceKeepsRecordsInsideIt() throws Exception {
    try (OpenBaoServer bao = OpenBaoServer.startDev()) {
      bao.cliOk("namespace", "create", "team1");
      bao.cliOk("secrets", "enable", "-namespace=team1", "-path=secret", "-version=2", "kv");
      OpenBaoKeystore ks =
          new OpenBaoKeystore(Fixtures.settings(bao).namespace("team1").build(), "ns", 65536);
      KeyMetadata m = l2("in-namespace", "acme");
      ks.store(m, sealed(16));
      assertThat(ks.retrieve(m.ref()).sealed()).hasSize(16);
      assertThat(
              bao.cli(
                      "kv",
                      "get",
                      "-namespace=team1",
                      "-mount=secret",
                      "ns/keys/in-namespace,0000000001")
                  .exitCode())
          .isZero();
      assertThat(
              bao.cli("kv", "get", "-mount=secret", "ns/keys/in-namespace,0000000001").exitCode())
          .isNotZero();
      ks.deactivate();
    }
  }

  private static String policyFile(String hcl) throws java.io.IOException {
    java.nio.file.Path f = java.nio.file.Files.createTempFile("policy", ".hcl");
    java.nio.file.Files.writeString(f, hcl);
    f.toFile().deleteOnExit();
    return f.toString();
  }
}
