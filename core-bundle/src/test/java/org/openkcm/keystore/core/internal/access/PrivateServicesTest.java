package org.openkcm.keystore.core.internal.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.hooks.service.ListenerHook.ListenerInfo;

/**
 * The visibility rule of the core's services, bundle by bundle (the in-container proof: RoutingIT).
 */
class PrivateServicesTest {
  private static final long CORE = 7;
  private static final String DIRECTORY = PrivateServices.INTERNAL + "backend.BackendDirectory";
  private static final String ROUTER = PrivateServices.INTERNAL + "routing.Router";
  private static final String LISTENER = "org.osgi.service.cm.ConfigurationListener";

  private final PrivateServices hook = new PrivateServices(CORE);

  @Test
  void anotherBundleFindsNoInternalRegistrationOfTheCoreByNameOrFilter() {
    ServiceReference<?> directory = ref(CORE, DIRECTORY);
    ServiceReference<?> admin = ref(CORE, "org.openkcm.keystore.api.KeystoreAdmin");
    assertThat(find(context(3), null, directory, admin)).containsExactly(admin);
    assertThat(find(context(3), DIRECTORY, directory)).isEmpty();
    assertThat(find(context(CORE), DIRECTORY, directory)).containsExactly(directory);
  }

  @Test
  void aRegistrationWithAPublicTypeIsSeenOnlyByThoseAskingForThatType() {
    ServiceReference<?> routing = ref(CORE, ROUTER, LISTENER);
    assertThat(find(context(3), LISTENER, routing)).containsExactly(routing);
    assertThat(find(context(3), ROUTER, routing)).isEmpty();
    assertThat(find(context(3), null, routing)).isEmpty();
    Map<BundleContext, Collection<ListenerInfo>> wide = new HashMap<>();
    wide.put(context(3), List.of(info("(|(objectClass=" + LISTENER + ")(objectClass=*))")));
    hook.event(new ServiceEvent(ServiceEvent.MODIFIED, routing), wide);
    assertThat(wide).as("a wider filter naming the public type").isEmpty();
  }

  @Test
  void anInternalTypeNameOfAnotherBundleIsNotTheCoresBusiness() {
    ServiceReference<?> foreign = ref(9, DIRECTORY);
    assertThat(find(context(3), null, foreign)).containsExactly(foreign);
  }

  @Test
  void serviceEventsOfInternalRegistrationsReachOnlyTheCoreAndPublicAskers() {
    ServiceReference<?> routing = ref(CORE, ROUTER, LISTENER);
    BundleContext core = context(CORE);
    BundleContext everything = context(3);
    BundleContext configAdmin = context(4);
    Map<BundleContext, Collection<ListenerInfo>> listeners = new HashMap<>();
    listeners.put(core, List.of(info(null)));
    listeners.put(everything, List.of(info(null)));
    listeners.put(configAdmin, List.of(info("(objectClass=" + LISTENER + ")")));
    hook.event(new ServiceEvent(ServiceEvent.MODIFIED, routing), listeners);
    assertThat(listeners).containsOnlyKeys(core, configAdmin);
  }

  private List<ServiceReference<?>> find(
      BundleContext asking, String name, ServiceReference<?>... refs) {
    List<ServiceReference<?>> found = new ArrayList<>(List.of(refs));
    hook.find(asking, name, null, false, found);
    return found;
  }

  private static ListenerInfo info(String filter) {
    return proxy(ListenerInfo.class, m -> m.equals("getFilter") ? filter : null);
  }

  private static BundleContext context(long bundleId) {
    Bundle b = bundle(bundleId);
    return proxy(BundleContext.class, m -> m.equals("getBundle") ? b : null);
  }

  private static Bundle bundle(long id) {
    return proxy(Bundle.class, m -> m.equals("getBundleId") ? id : null);
  }

  private static ServiceReference<?> ref(long bundleId, String... types) {
    Bundle b = bundle(bundleId);
    return proxy(
        ServiceReference.class,
        m -> m.equals("getBundle") ? b : m.equals("getProperty") ? types : null);
  }

  @SuppressWarnings("unchecked")
  private static <T> T proxy(Class<T> type, java.util.function.Function<String, Object> answer) {
    Object[] self = new Object[1];
    self[0] =
        Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (p, m, args) ->
                switch (m.getName()) {
                  case "hashCode" -> System.identityHashCode(p);
                  case "equals" -> p == args[0];
                  case "toString" -> type.getSimpleName();
                  case "getProperty" ->
                      Constants.OBJECTCLASS.equals(args[0]) ? answer.apply("getProperty") : null;
                  default -> answer.apply(m.getName());
                });
    return (T) self[0];
  }
}
