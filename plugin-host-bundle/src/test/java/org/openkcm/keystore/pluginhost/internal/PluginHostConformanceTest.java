package org.openkcm.keystore.pluginhost.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.openkcm.keystore.spi.Keystore;
import org.openkcm.keystore.testkit.KeystoreConformanceTest;

/**
 * The Java conformance kit against the reference Go plugin (bbolt) through the host: real process,
 * go-plugin handshake, AutoMTLS over the Unix socket, the remote Keystore and its error mapping.
 */
class PluginHostConformanceTest extends KeystoreConformanceTest {
  private static PluginFixture fixture;

  @Override
  protected Keystore createKeystore() throws Exception {
    synchronized (PluginHostConformanceTest.class) {
      if (fixture == null) {
        Path dir = Files.createTempDirectory("plugin-conformance");
        fixture = new PluginFixture().start(PluginFixture.bbolt("bbolt", dir.resolve("ks.db")));
      }
    }
    return fixture.awaitRegistered();
  }

  @AfterAll
  static void stopPlugin() {
    if (fixture != null) {
      fixture.close();
      fixture = null;
    }
  }
}
