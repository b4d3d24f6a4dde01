package org.openkcm.keystore.openbao.internal;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.openkcm.keystore.openbao.testing.OpenBaoServer;
import org.openkcm.keystore.spi.Keystore;
import org.openkcm.keystore.testkit.KeystoreConformanceTest;

/**
 * The OpenBao backend passes the conformance kit against a real dev-mode bao (one server per
 * class).
 */
class OpenBaoConformanceTest extends KeystoreConformanceTest {
  private static OpenBaoServer bao;

  @BeforeAll
  static void startBao() {
    bao = OpenBaoServer.startDev();
  }

  @AfterAll
  static void stopBao() {
    bao.close();
  }

  @Override
  protected Keystore createKeystore() {
    return Fixtures.keystore(bao, "conformance");
  }

  @Override
  protected Keystore unreachableKeystore() {
    return new OpenBaoKeystore(
        Fixtures.settings(bao).address("http://127.0.0.1:1").build(), "conformance", 65536);
  }

  @Override
  protected void disposeKeystore(Keystore k) {
    ((OpenBaoKeystore) k).deactivate();
  }
}
