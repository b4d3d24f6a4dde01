package org.openkcm.keystore.openbao.internal;

import java.util.Hashtable;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;

/**
 * Registers a service with only the properties that are safe to publish: the name property and,
 * when configured, a ranking (how an updated bundle takes over without a gap). Configuration
 * properties such as the token stay private to the component.
 */
final class ServiceRegistrations {
  private ServiceRegistrations() {}

  static <S> ServiceRegistration<S> register(
      BundleContext context,
      Class<S> type,
      S service,
      String nameProperty,
      String name,
      Map<String, Object> config) {
    return register(context, type, service, nameProperty, name, config, Map.of());
  }

  /**
   * As above, plus {@code declared}: fixed properties the service states about itself (never
   * configuration values).
   */
  static <S> ServiceRegistration<S> register(
      BundleContext context,
      Class<S> type,
      S service,
      String nameProperty,
      String name,
      Map<String, Object> config,
      Map<String, Object> declared) {
    Hashtable<String, Object> props = new Hashtable<>(declared);
    props.put(nameProperty, name);
    Object ranking = config == null ? null : config.get(Constants.SERVICE_RANKING);
    if (ranking instanceof Integer) {
      props.put(Constants.SERVICE_RANKING, ranking);
    }
    props.put(Constants.SERVICE_DESCRIPTION, "OpenKCM " + name);
    return context.registerService(type, service, props);
  }

  static void unregister(ServiceRegistration<?> registration) {
    if (registration != null) {
      try {
        registration.unregister();
      } catch (IllegalStateException alreadyGone) {
        // the bundle is stopping and the framework unregistered it first
      }
    }
  }
}
