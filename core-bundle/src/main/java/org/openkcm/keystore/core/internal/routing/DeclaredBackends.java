package org.openkcm.keystore.core.internal.routing;

import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.util.tracker.BundleTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the installed bundles' routing declarations ({@link DeclaredBackend}); {@code onChange}
 * runs when a declaring bundle comes or goes. In bundle install order, so the out-of-the-box rules
 * have a stable order.
 */
final class DeclaredBackends {
  private static final Logger LOG = LoggerFactory.getLogger(DeclaredBackends.class);

  private final Map<Long, List<DeclaredBackend>> byBundle = new TreeMap<>();
  private final BundleTracker<Long> tracker;
  private volatile List<DeclaredBackend> current = List.of();

  DeclaredBackends(BundleContext context, Runnable onChange) {
    int states = Bundle.INSTALLED | Bundle.RESOLVED | Bundle.STARTING | Bundle.ACTIVE;
    this.tracker =
        new BundleTracker<>(context, states, null) {
          @Override
          public Long addingBundle(Bundle bundle, BundleEvent event) {
            URL entry = bundle.getEntry(DeclaredBackend.RESOURCE);
            if (entry == null) {
              return null;
            }
            try (InputStream in = entry.openStream()) {
              update(bundle.getBundleId(), DeclaredBackend.read(in));
            } catch (java.io.IOException | RuntimeException e) {
              LOG.error(
                  "Ignoring the backends bundle {} declares: {}",
                  bundle.getSymbolicName(),
                  e.getMessage());
              return null;
            }
            onChange.run();
            return bundle.getBundleId();
          }

          @Override
          public void removedBundle(Bundle bundle, BundleEvent event, Long id) {
            update(id, null);
            onChange.run();
          }
        };
  }

  void open() {
    tracker.open();
  }

  void close() {
    tracker.close();
  }

  List<DeclaredBackend> current() {
    return current;
  }

  private void update(long bundle, List<DeclaredBackend> backends) {
    synchronized (byBundle) {
      if (backends == null) {
        byBundle.remove(bundle);
      } else {
        byBundle.put(bundle, backends);
      }
      List<DeclaredBackend> all = new ArrayList<>();
      byBundle.values().forEach(all::addAll);
      current = List.copyOf(all);
    }
  }
}
