package org.openkcm.keystore.core.internal.backend;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.openkcm.keystore.core.internal.routing.Router;
import org.openkcm.keystore.core.internal.routing.RoutingTable;
import org.openkcm.keystore.core.internal.support.Annotations;
import org.openkcm.keystore.model.InvalidConfigurationException;
import org.openkcm.keystore.spi.Keystore;

/** A plugin manager outside OSGi: a settable routing table and hand-made service registrations. */
final class Fixture implements Router, AutoCloseable {
  private static final AtomicLong IDS = new AtomicLong(100);
  volatile RoutingTable table;
  final PluginManager manager;

  Fixture(String[] rules, String defaultBackend, Map<String, Object> settings)
      throws InvalidConfigurationException {
    routes(rules, defaultBackend);
    manager = new PluginManager(this);
    manager.activate(Annotations.of(PluginsConfig.class, settings));
  }

  void routes(String[] rules, String defaultBackend, String... lookupOnly)
      throws InvalidConfigurationException {
    table = RoutingTable.parse(rules, defaultBackend, lookupOnly);
  }

  @Override
  public RoutingTable table() {
    return table;
  }

  /** Registers {@code k} under {@code name}; @return its service properties (to unregister). */
  Map<String, Object> register(String name, int ranking, Keystore k) {
    return register(name, ranking, k, Map.of());
  }

  /** As above, with further service properties the backend declares. */
  Map<String, Object> register(String name, int ranking, Keystore k, Map<String, Object> declared) {
    Map<String, Object> props = new HashMap<>(declared);
    props.put(Keystore.BACKEND_PROPERTY, name);
    props.put("service.ranking", ranking);
    props.put("service.id", IDS.incrementAndGet());
    props.put("service.bundleid", 7L);
    manager.bindKeystore(k, props);
    return props;
  }

  void unregister(Keystore k, Map<String, Object> props) {
    manager.unbindKeystore(k, props);
  }

  @Override
  public void close() {
    manager.deactivate();
  }
}
