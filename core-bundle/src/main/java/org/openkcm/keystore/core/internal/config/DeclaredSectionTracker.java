package org.openkcm.keystore.core.internal.config;

import java.io.IOException;
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
 * Follows the installed bundles' {@value SectionDeclarations#RESOURCE}: whenever a bundle that
 * declares config.yaml sections comes or goes, the declarations in force change and {@code
 * onChange} runs (the bridge then applies config.yaml again, so a section of a bundle installed
 * later is checked by its own rules). A bundle whose declaration is malformed is logged and
 * ignored.
 */
final class DeclaredSectionTracker {
  private static final Logger LOG = LoggerFactory.getLogger(DeclaredSectionTracker.class);

  private final Map<Long, List<DeclaredSection>> byBundle = new TreeMap<>();
  private final BundleTracker<Long> tracker;
  private final Runnable onChange;
  private volatile SectionDeclarations current = SectionDeclarations.NONE;

  DeclaredSectionTracker(BundleContext context, Runnable onChange) {
    this.onChange = onChange;
    int states = Bundle.INSTALLED | Bundle.RESOLVED | Bundle.STARTING | Bundle.ACTIVE;
    this.tracker =
        new BundleTracker<>(context, states, null) {
          @Override
          public Long addingBundle(Bundle bundle, BundleEvent event) {
            URL entry = bundle.getEntry(SectionDeclarations.RESOURCE);
            if (entry == null) {
              return null;
            }
            try (InputStream in = entry.openStream()) {
              changed(bundle.getBundleId(), SectionDeclarations.read(in));
            } catch (IOException | RuntimeException e) {
              LOG.error(
                  "Ignoring the config.yaml sections bundle {} declares: {}",
                  bundle.getSymbolicName(),
                  e.getMessage());
              return null;
            }
            return bundle.getBundleId();
          }

          @Override
          public void removedBundle(Bundle bundle, BundleEvent event, Long id) {
            changed(id, null);
          }
        };
  }

  void open() {
    tracker.open();
  }

  void close() {
    tracker.close();
  }

  SectionDeclarations current() {
    return current;
  }

  private void changed(long bundle, List<DeclaredSection> sections) {
    synchronized (byBundle) {
      if (sections == null) {
        byBundle.remove(bundle);
      } else {
        byBundle.put(bundle, sections);
      }
      List<DeclaredSection> all = new ArrayList<>();
      byBundle.values().forEach(all::addAll);
      try {
        current = new SectionDeclarations(all);
      } catch (IllegalArgumentException e) {
        LOG.error("Ignoring the config.yaml sections of bundle {}: {}", bundle, e.getMessage());
        byBundle.remove(bundle);
        return;
      }
    }
    onChange.run();
  }
}
