package org.openkcm.keystore.core.internal.backend;

import java.util.Map;
import org.openkcm.keystore.model.InvalidConfigurationException;
import org.openkcm.keystore.spi.Keystore;

/** Access to the plugin manager fixture for tests of other packages. */
public final class Fixtures {
  private final Fixture fx;

  public Fixtures(String[] rules, String defaultBackend) throws InvalidConfigurationException {
    fx = new Fixture(rules, defaultBackend, Map.of("healthInterval", "1h"));
  }

  /**
   * @param settings plugin manager settings ({@code PluginsConfig} attribute names)
   */
  public Fixtures(String[] rules, String defaultBackend, Map<String, Object> settings)
      throws InvalidConfigurationException {
    fx = new Fixture(rules, defaultBackend, settings);
  }

  public PluginManager manager() {
    return fx.manager;
  }

  public void register(String name, int ranking, Keystore k) {
    fx.register(name, ranking, k);
  }

  public void close() {
    fx.close();
  }
}
