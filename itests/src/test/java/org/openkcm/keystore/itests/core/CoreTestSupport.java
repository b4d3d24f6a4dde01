package org.openkcm.keystore.itests.core;

import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.junit.After;
import org.openkcm.keystore.api.BackendStatus;
import org.openkcm.keystore.api.KeystoreAdmin;
import org.openkcm.keystore.api.RoutedRecords;
import org.openkcm.keystore.itests.KeystoreTestSupport;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyNotFoundException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.spi.KeyRecord;
import org.openkcm.keystore.spi.Keystore;
import org.ops4j.pax.exam.Option;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * Helpers for the core's in-container tests: backends as services, configuration, the public
 * services the core offers (no internal one).
 */
public abstract class CoreTestSupport extends KeystoreTestSupport {
  private final List<ServiceRegistration<?>> registrations = new ArrayList<>();

  /**
   * The base runtime with the process environment ignored, so a CI host's BAO_ADDR cannot leak in.
   */
  protected static Option[] coreOptions(Option... extra) {
    List<Option> o =
        new ArrayList<>(
            List.of(
                baseOptions(),
                frameworkProperty("openkcm.keystore.config.ignoreEnvironment").value("true"),
                frameworkProperty("openkcm.keystore.config.pollMillis").value("100")));
    o.addAll(List.of(extra));
    return o.toArray(new Option[0]);
  }

  @After
  public void unregisterTestBackends() {
    for (ServiceRegistration<?> r : registrations) {
      try {
        r.unregister();
      } catch (IllegalStateException e) {
        // already unregistered by the test
      }
    }
  }

  protected ServiceRegistration<Keystore> register(String name, int ranking, Keystore k) {
    Dictionary<String, Object> props =
        new Hashtable<>(Map.of(Keystore.BACKEND_PROPERTY, name, "service.ranking", ranking));
    ServiceRegistration<Keystore> r = context.registerService(Keystore.class, k, props);
    registrations.add(r);
    return r;
  }

  protected ConfigurationAdmin configAdmin() throws InterruptedException {
    await("ConfigurationAdmin", () -> !services(ConfigurationAdmin.class, null).isEmpty());
    return context.getService(services(ConfigurationAdmin.class, null).get(0));
  }

  protected void configure(String pid, Map<String, Object> props) throws Exception {
    Configuration c = configAdmin().getConfiguration(pid, "?");
    c.update(new Hashtable<>(props));
  }

  /**
   * The plugin manager's component, as the DS runtime (and the console's Components page) names it.
   */
  protected static final String PLUGIN_MANAGER =
      "org.openkcm.keystore.core.internal.backend.PluginManager";

  /**
   * Sets plugin manager settings and waits until the component runs with them (the DS runtime's
   * public view of its configuration).
   */
  protected void configurePlugins(Map<String, Object> props) throws Exception {
    configure("org.openkcm.keystore.plugins", props);
    await(
        "plugin settings " + props,
        () -> {
          Map<String, Object> running = componentProperties(PLUGIN_MANAGER);
          return props.entrySet().stream()
              .allMatch(e -> e.getValue().equals(running.get(e.getKey())));
        });
  }

  /**
   * @return the properties the named component's active configuration runs with, as the DS runtime
   *     reports them (empty while it is not active)
   */
  protected Map<String, Object> componentProperties(String componentName) {
    List<ServiceReference<ServiceComponentRuntime>> refs =
        services(ServiceComponentRuntime.class, null);
    if (refs.isEmpty()) {
      return Map.of();
    }
    ServiceComponentRuntime scr = context.getService(refs.get(0));
    try {
      for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
        if (d.name.equals(componentName)) {
          for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
            if (c.state == ComponentConfigurationDTO.ACTIVE) {
              return c.properties;
            }
          }
        }
      }
      return Map.of();
    } finally {
      context.ungetService(refs.get(0));
    }
  }

  protected KeystoreAdmin admin() throws InterruptedException {
    await("KeystoreAdmin", () -> !services(KeystoreAdmin.class, null).isEmpty());
    return context.getService(services(KeystoreAdmin.class, null).get(0));
  }

  /**
   * @return what a Gogo shell command prints (its result formatted as the shell shows it)
   */
  protected String shell(String command) throws Exception {
    await("Gogo", () -> !services(CommandProcessor.class, null).isEmpty());
    CommandProcessor p = context.getService(services(CommandProcessor.class, null).get(0));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
    try (CommandSession s = p.createSession(new ByteArrayInputStream(new byte[0]), ps, ps)) {
      Object result = s.execute(command);
      if (result != null) {
        ps.print(s.format(result, Converter.INSPECT));
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /**
   * @return the core's routed record store (public API): stores route by the rules, reads and
   *     listings span every configured backend
   */
  protected RoutedRecords records() throws InterruptedException {
    await("RoutedRecords", () -> !services(RoutedRecords.class, null).isEmpty());
    return context.getService(services(RoutedRecords.class, null).get(0));
  }

  /**
   * @return the name of the backend a new key with this metadata is routed to now
   */
  protected String routeOf(KeyMetadata m) throws Exception {
    return admin().routeOf(m);
  }

  /**
   * @return the Keystore service that serves each backend the configuration names now (the highest
   *     ranking, then the oldest: the core's rule), called directly to see what each one holds
   */
  protected List<Keystore> configuredBackends() throws Exception {
    List<Keystore> out = new ArrayList<>();
    for (BackendStatus s : admin().backends()) {
      if (!s.configured()) {
        continue;
      }
      List<ServiceReference<Keystore>> refs =
          services(Keystore.class, "(" + Keystore.BACKEND_PROPERTY + "=" + s.name() + ")");
      if (!refs.isEmpty()) {
        out.add(context.getService(Collections.max(refs)));
      }
    }
    return out;
  }

  protected static KeyMetadata key(String id, KeyTier tier, String owner, String... tags)
      throws InvalidKeyRequestException {
    KeyMetadata.Builder b =
        KeyMetadata.builder().ref(KeyRef.of(id, 1)).tier(tier).owner(Owner.parse(owner));
    if (tier != KeyTier.L2) {
      b.parent(KeyRef.of("parent-" + id, 1));
    }
    for (int i = 0; i + 1 < tags.length; i += 2) {
      b.tag(tags[i], tags[i + 1]);
    }
    return b.build();
  }

  /**
   * @return how many configured backends hold the record (an existing key is found by trying each)
   */
  protected int copiesOf(KeyRef ref) throws Exception {
    int n = 0;
    for (Keystore k : configuredBackends()) {
      try {
        KeyRecord r = k.retrieve(ref);
        n += r == null ? 0 : 1;
      } catch (KeyNotFoundException e) {
        // not here
      }
    }
    return n;
  }

  protected static void check(boolean condition, String what) {
    if (!condition) {
      throw new AssertionError(what);
    }
  }

  protected interface Io {
    void run() throws KeystoreException;
  }
}
