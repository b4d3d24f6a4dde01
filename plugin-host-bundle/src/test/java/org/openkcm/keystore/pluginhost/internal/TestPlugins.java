package org.openkcm.keystore.pluginhost.internal;

import java.nio.file.Path;
import org.openkcm.keystore.spi.Keystore;

/**
 * The real reference plugin (bbolt) under the host's supervisor, for tests of other modules (the
 * core's fault run): {@code try (TestPlugins.Running p = TestPlugins.bbolt("name", dir)) {
 * p.keystore() ... }}. The binary is the one Maven built from sdk/go (system property {@code
 * plugin.binary}).
 */
public final class TestPlugins {
  private TestPlugins() {}

  /** A running plugin; closing it stops the process. */
  public static final class Running implements AutoCloseable {
    private final PluginFixture fixture;

    private Running(PluginFixture fixture) {
      this.fixture = fixture;
    }

    /**
     * @return the Keystore registered for the process running now
     */
    public Keystore keystore() {
      return fixture.awaitRegistered();
    }

    @Override
    public void close() {
      fixture.close();
    }
  }

  public static Running bbolt(String name, Path dir) {
    return new Running(
        new PluginFixture().start(PluginFixture.bbolt(name, dir.resolve(name + ".db"))));
  }
}
