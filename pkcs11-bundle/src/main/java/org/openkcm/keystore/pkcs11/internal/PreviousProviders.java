package org.openkcm.keystore.pkcs11.internal;

import java.util.ArrayList;
import java.util.List;
import org.openkcm.keystore.spi.RootKeyProvider;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * The provider that wrapped records before this one (e.g. {@code local}), found by its {@value
 * RootKeyProvider#PROVIDER_PROPERTY} name when a record needs it; the services got are released on
 * deactivation. Getting the local provider activates it (it reads its master key then).
 */
final class PreviousProviders implements AutoCloseable {
  private final BundleContext context;
  private final List<ServiceReference<RootKeyProvider>> got = new ArrayList<>();

  PreviousProviders(BundleContext context) {
    this.context = context;
  }

  /**
   * @return the best-ranked provider of that name, or null
   */
  RootKeyProvider get(String name) {
    try {
      var refs =
          context.getServiceReferences(
              RootKeyProvider.class, "(" + RootKeyProvider.PROVIDER_PROPERTY + "=" + name + ")");
      ServiceReference<RootKeyProvider> best =
          refs.stream().max(ServiceReference::compareTo).orElse(null);
      if (best == null) {
        return null;
      }
      RootKeyProvider p = context.getService(best);
      if (p != null) {
        synchronized (got) {
          if (got.contains(best)) {
            context.ungetService(best);
          } else {
            got.add(best);
          }
        }
      }
      return p;
    } catch (InvalidSyntaxException | IllegalStateException e) {
      return null;
    }
  }

  @Override
  public void close() {
    synchronized (got) {
      for (ServiceReference<RootKeyProvider> r : got) {
        try {
          context.ungetService(r);
        } catch (IllegalStateException e) {
          // our bundle is stopping: the framework releases it anyway
          continue;
        }
      }
      got.clear();
    }
  }
}
