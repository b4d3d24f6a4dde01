package org.openkcm.keystore.core.internal.routing;

import org.openkcm.keystore.model.InvalidConfigurationException;

/**
 * Lets the config bridge ask, before it applies anything, whether the routing would accept a
 * change.
 */
public interface RoutingChanges {

  /**
   * @throws InvalidConfigurationException naming the field and why the routing would refuse it
   */
  void check(String[] rules, String defaultBackend, String[] lookupOnly, boolean force)
      throws InvalidConfigurationException;
}
