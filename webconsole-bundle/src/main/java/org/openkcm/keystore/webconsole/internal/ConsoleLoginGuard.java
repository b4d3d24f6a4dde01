package org.openkcm.keystore.webconsole.internal;

import java.util.Hashtable;
import org.apache.felix.webconsole.spi.SecurityProvider;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides at start whether the runtime may run: with real console credentials (or the development flag)
 * it registers the console's security provider; without them it refuses and exits the runtime with
 * status {@value #REFUSED_EXIT_CODE}, so no console ever answers with admin/admin by accident.
 */
@Component(immediate = true)
public final class ConsoleLoginGuard {
    static final int REFUSED_EXIT_CODE = 78;
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleLoginGuard.class);

    private ServiceRegistration<SecurityProvider> registration;

    @Activate
    void activate(BundleContext context) {
        ConsoleCredentials credentials;
        try {
            credentials = ConsoleCredentials.from(System.getenv());
        } catch (IllegalStateException refused) {
            refuse(refused.getMessage());
            return;
        }
        if (credentials.development()) {
            LOG.warn("Development mode: console login {}; never use this outside a workstation", credentials.user());
            System.out.println("WARNING: development mode (OPENKCM_KEYSTORE_DEV=true), console login " + credentials.user()
                    + (ConsoleCredentials.DEFAULT_USER.equals(credentials.user()) ? "/admin" : ""));
        }
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(SecurityProvider.PROPERTY_ID, ConsoleSecurityProvider.ID);
        registration = context.registerService(SecurityProvider.class, new ConsoleSecurityProvider(credentials), props);
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            registration.unregister();
            registration = null;
        }
    }

    private static void refuse(String reason) {
        LOG.error("Refusing to start: {}", reason);
        System.err.println("OpenKCM Keystore refuses to start: " + reason + " (see docs/distribution.md)");
        // exit from another thread: the shutdown hook then stops the framework cleanly
        Thread exit = new Thread(() -> System.exit(REFUSED_EXIT_CODE), "openkcm-refuse-start");
        exit.start();
    }
}
