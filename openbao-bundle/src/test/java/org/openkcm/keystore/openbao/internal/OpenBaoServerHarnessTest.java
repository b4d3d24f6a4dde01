package org.openkcm.keystore.openbao.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.openkcm.keystore.openbao.testing.OpenBaoServer;

/** The harness itself: a real bao answers, and the CLI talks to it. */
class OpenBaoServerHarnessTest {

  @Test
  void devServerAnswersAndCliWorks() {
    try (OpenBaoServer bao = OpenBaoServer.startDev()) {
      assertThat(bao.healthStatus()).isEqualTo(200);
      assertThat(bao.cliOk("kv", "put", "-mount=secret", "probe", "a=1")).contains("version");
      assertThat(bao.cliOk("kv", "get", "-format=json", "-mount=secret", "probe"))
          .contains("\"a\": \"1\"");
      bao.stop();
      assertThat(bao.healthStatus()).isEqualTo(-1);
    }
  }
}
