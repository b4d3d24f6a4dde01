package org.openkcm.keystore.pluginhost.internal;

import java.util.Map;
import org.openkcm.keystore.spi.Keystore;

/**
 * Where a supervised plugin's {@link Keystore} is published: the OSGi service registry, or a test.
 */
interface Registrar {
  /**
   * @return what unpublishes it
   */
  Runnable register(Keystore keystore, Map<String, Object> properties);
}
