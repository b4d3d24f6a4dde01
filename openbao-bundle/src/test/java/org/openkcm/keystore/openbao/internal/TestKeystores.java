package org.openkcm.keystore.openbao.internal;

import org.openkcm.keystore.openbao.testing.OpenBaoServer;
import org.openkcm.keystore.spi.Keystore;

/**
 * Builds an {@link OpenBaoKeystore} against a test server outside OSGi, for other modules' tests
 * (published in the test-jar; the constructor it uses is package-private on purpose).
 */
public final class TestKeystores {
  private TestKeystores() {}

  /**
   * @return a KV v2 backend named {@code openbao} under {@code prefix}, with the root token, 1 s
   *     connect / 3 s read timeouts
   */
  public static Keystore openBao(OpenBaoServer bao, String prefix) {
    return Fixtures.keystore(bao, prefix);
  }

  /** Releases the backend's HTTP client threads. */
  public static void close(Keystore k) {
    if (k instanceof OpenBaoKeystore o) {
      o.deactivate();
    }
  }
}
