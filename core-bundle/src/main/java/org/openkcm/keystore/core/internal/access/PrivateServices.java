package org.openkcm.keystore.core.internal.access;

import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.hooks.service.EventListenerHook;
import org.osgi.framework.hooks.service.FindHook;
import org.osgi.framework.hooks.service.ListenerHook.ListenerInfo;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * Keeps the core's internal services inside the core. The core's components are wired by SCR
 * through services whose types live in {@code ...core.internal} packages (the backend directory,
 * the router, the crypto core, the observers...); no other bundle can import those types, and with
 * this hook no other bundle can see those registrations either: not by lookup, not by filter, not
 * by service event. SCR resolves the core's own references through the core bundle's context, which
 * this hook leaves alone, so hot swap, live routing changes and the audited doors work as before.
 *
 * <p>A registration that also offers a public type (a {@code ConfigurationListener}) stays visible
 * to a bundle that asks for exactly that public type by name ({@code (objectClass=...)}, what a
 * lookup or a {@code ServiceTracker} by class sends), and only then: Config Admin still delivers
 * its events, nobody reaches the internal face.
 */
@Component(service = {FindHook.class, EventListenerHook.class})
public final class PrivateServices implements FindHook, EventListenerHook {
  /** Types in packages under this prefix are the core's own. */
  public static final String INTERNAL = "org.openkcm.keystore.core.internal.";

  private final long core;

  @Activate
  public PrivateServices(BundleContext context) {
    this(context.getBundle().getBundleId());
  }

  /** Outside OSGi (tests): the hook of the bundle with this id. */
  public PrivateServices(long coreBundleId) {
    this.core = coreBundleId;
  }

  @Override
  public void find(
      BundleContext context,
      String name,
      String filter,
      boolean allServices,
      Collection<ServiceReference<?>> references) {
    if (isCore(context)) {
      return;
    }
    references.removeIf(r -> hidden(r, name == null ? null : "(objectClass=" + name + ")"));
  }

  @Override
  public void event(ServiceEvent event, Map<BundleContext, Collection<ListenerInfo>> listeners) {
    ServiceReference<?> r = event.getServiceReference();
    if (!internal(r)) {
      return;
    }
    listeners.entrySet().removeIf(e -> !isCore(e.getKey()) && noneAsksPublicly(r, e.getValue()));
  }

  private boolean noneAsksPublicly(ServiceReference<?> r, Collection<ListenerInfo> infos) {
    return infos.stream().allMatch(i -> hidden(r, i.getFilter()));
  }

  /**
   * @param asked the filter (or {@code (objectClass=name)}) the other bundle looks with, or null
   * @return whether a bundle other than the core must not see this registration
   */
  boolean hidden(ServiceReference<?> r, String asked) {
    if (!internal(r)) {
      return false;
    }
    if (asked == null) {
      return true;
    }
    // exactly what a lookup or a ServiceTracker by class name asks: no wider filter gets through
    return Arrays.stream(classes(r))
        .filter(c -> !c.startsWith(INTERNAL))
        .noneMatch(c -> asked.equalsIgnoreCase("(objectClass=" + c + ")"));
  }

  /**
   * @return whether the core registered this under at least one internal type
   */
  boolean internal(ServiceReference<?> r) {
    Bundle b = r.getBundle();
    return b != null
        && b.getBundleId() == core
        && Arrays.stream(classes(r)).anyMatch(c -> c.startsWith(INTERNAL));
  }

  private boolean isCore(BundleContext context) {
    try {
      return context.getBundle().getBundleId() == core;
    } catch (IllegalStateException stale) {
      return false;
    }
  }

  private static String[] classes(ServiceReference<?> r) {
    Object o = r.getProperty(Constants.OBJECTCLASS);
    return o instanceof String[] a ? a : new String[0];
  }
}
