package org.openkcm.keystore.webconsole.internal;

import java.util.Hashtable;
import org.apache.felix.webconsole.spi.SecurityProvider;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides at start whether the console may run: with real console credentials (or the development
 * flag) it registers the console's security provider; without them it refuses. Under our own
 * launcher (framework property {@value #LAUNCHER_PROPERTY}) refusing exits the runtime with status
 * {@value #REFUSED_EXIT_CODE}; inside another container (Karaf) it must not take the whole
 * container down, so it fails closed by stopping the Web Console bundle. Either way no console ever
 * answers with admin/admin by accident.
 */
@Component(immediate = true)
public final class ConsoleLoginGuard {
  static final int REFUSED_EXIT_CODE = 78;

  /** Set in the distribution's config.properties: the JVM is ours to stop. */
  static final String LAUNCHER_PROPERTY = "openkcm.keystore.launcher";

  private static final String WEBCONSOLE_BSN = "org.apache.felix.webconsole";
  private static final Logger LOG = LoggerFactory.getLogger(ConsoleLoginGuard.class);

  private ServiceRegistration<SecurityProvider> registration;

  @Activate
  void activate(BundleContext context) {
    ConsoleCredentials credentials;
    try {
      credentials = ConsoleCredentials.from(System.getenv());
    } catch (IllegalStateException refused) {
      refuse(context, refused.getMessage());
      return;
    }
    if (credentials.development()) {
      LOG.warn(
          "Development mode: console login {}; never use this outside a workstation",
          credentials.user());
      System.out.println(
          "WARNING: development mode (OPENKCM_KEYSTORE_DEV=true), console login "
              + credentials.user()
              + (ConsoleCredentials.DEFAULT_USER.equals(credentials.user()) ? "/admin" : ""));
    }
    Hashtable<String, Object> props = new Hashtable<>();
    props.put(SecurityProvider.PROPERTY_ID, ConsoleSecurityProvider.ID);
    registration =
        context.registerService(
            SecurityProvider.class, new ConsoleSecurityProvider(credentials), props);
  }

  @Deactivate
  void deactivate() {
    if (registration != null) {
      registration.unregister();
      registration = null;
    }
  }

  private static void refuse(BundleContext context, String reason) {
    if (context.getProperty(LAUNCHER_PROPERTY) != null) {
      LOG.error("Refusing to start: {}", reason);
      System.err.println(
          "OpenKCM Keystore refuses to start: " + reason + " (see docs/distribution.md)");
      // exit from another thread: the shutdown hook then stops the framework cleanly
      Thread exit = new Thread(() -> System.exit(REFUSED_EXIT_CODE), "openkcm-refuse-start");
      exit.start();
      return;
    }
    LOG.error(
        "Web Console disabled: {}. Set OPENKCM_CONSOLE_USER and OPENKCM_CONSOLE_PASSWORD for the container"
            + " and restart the console bundle.",
        reason);
    for (Bundle b : context.getBundles()) {
      if (WEBCONSOLE_BSN.equals(b.getSymbolicName())) {
        try {
          b.stop();
        } catch (BundleException | IllegalStateException e) {
          LOG.error(
              "Could not stop the Web Console bundle; its console may be reachable: {}",
              e.toString());
        }
      }
    }
  }
}
