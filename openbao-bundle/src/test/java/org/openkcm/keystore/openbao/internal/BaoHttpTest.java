package org.openkcm.keystore.openbao.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.openbao.testing.OpenBaoServer;

/** The bundle's one HTTP client against the real server: what it negotiates and what it sends. */
class BaoHttpTest {

  @Test
  void overTlsItSpeaksHttp2AndTls13AndReusesOneClientForTokenAndAnonymousCalls() throws Exception {
    try (OpenBaoServer bao = OpenBaoServer.startDevTls();
        BaoHttp http =
            new BaoHttp(
                Fixtures.settings(bao).tls(bao.caFile().toString(), null, null).build(), "h2")) {
      BaoHttp.Answer health =
          http.send("GET", "sys/health", null, null, null, Duration.ofSeconds(3));
      assertThat(health.status).isEqualTo(200);
      assertThat(health.version)
          .as("OpenBao offers h2 over TLS (ALPN) and the client takes it")
          .isEqualTo(HttpClient.Version.HTTP_2);
      assertThat(health.tlsProtocol).isEqualTo("TLSv1.3");

      BaoHttp.Answer self =
          http.send(
              "GET", "auth/token/lookup-self", null, null, bao.rootToken(), Duration.ofSeconds(3));
      assertThat(self.status).isEqualTo(200);
      assertThat(self.version).isEqualTo(HttpClient.Version.HTTP_2);
      BaoHttp.Answer noToken =
          http.send("GET", "auth/token/lookup-self", null, null, null, Duration.ofSeconds(3));
      assertThat(noToken.status)
          .as("no token is ever added from the environment or ~/.vault-token")
          .isEqualTo(403);
    }
  }

  @Test
  void overPlainHttpItStaysOnHttp11() throws Exception {
    try (OpenBaoServer bao = OpenBaoServer.startDev();
        BaoHttp http = new BaoHttp(Fixtures.settings(bao).build(), "h1")) {
      BaoHttp.Answer health =
          http.send("GET", "sys/health", null, null, null, Duration.ofSeconds(3));
      assertThat(health.status).isEqualTo(200);
      assertThat(health.version).isEqualTo(HttpClient.Version.HTTP_1_1);
      assertThat(health.tlsProtocol).isNull();
    }
  }
}
