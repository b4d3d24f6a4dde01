package org.openkcm.keystore.webconsole.internal;

import java.util.ArrayList;
import java.util.List;
import org.openkcm.keystore.spi.Keystore;
import org.osgi.framework.ServiceReference;

/**
 * Backend names of registered Keystore services, read from their service properties (no call to the
 * service).
 */
final class Backends {

  private Backends() {}

  static List<String> names(List<ServiceReference<Keystore>> refs) {
    List<String> out = new ArrayList<>();
    if (refs != null) {
      for (ServiceReference<Keystore> r : refs) {
        Object name = r.getProperty(Keystore.BACKEND_PROPERTY);
        out.add(
            name == null
                ? "(unnamed service " + r.getProperty("service.id") + ")"
                : String.valueOf(name));
      }
    }
    return out;
  }
}
