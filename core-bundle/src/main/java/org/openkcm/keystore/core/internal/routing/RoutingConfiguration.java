package org.openkcm.keystore.core.internal.routing;

import java.io.IOException;
import java.util.Dictionary;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.openkcm.keystore.model.InvalidConfigurationException;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the routing table built from PID {@value #PID}. Invalid configuration (from config.yaml, a
 * {@code .cfg} file or the Web Console) is rejected with a log line naming the field, and the table
 * in force stays. Unset rules and default come from what the installed backend bundles declare
 * ({@link DeclaredBackend}); a declared backend whose configuration lacks the property it declares
 * as required is not configured: its routes go to the declared fallback backend, and a loud warning
 * says so ({@link Fallback}). The core knows no backend by name.
 */
@Component(
    service = {Router.class, ConfigurationListener.class, RoutingChanges.class},
    configurationPid = RoutingConfiguration.PID,
    configurationPolicy = ConfigurationPolicy.OPTIONAL,
    immediate = true)
@Designate(ocd = RoutingConfig.class)
public final class RoutingConfiguration implements Router, ConfigurationListener, RoutingChanges {
  public static final String PID = "org.openkcm.keystore.routing";

  /** Used as the default when neither the configuration nor any bundle names one. */
  static final String NO_BACKEND = "none";

  private static final Logger LOG = LoggerFactory.getLogger(RoutingConfiguration.class);

  private volatile ConfigurationAdmin configAdmin;

  @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
  private volatile KeyHolders holders;

  private volatile Wanted config;
  private volatile RoutingTable table;
  private volatile DeclaredBackends declared;

  /** What the configuration asks for; {@code null} rules or default: what the bundles declare. */
  private record Wanted(String[] rules, String defaultBackend, String[] lookupOnly, boolean force) {
    static Wanted of(RoutingConfig c, Map<String, Object> properties) {
      return new Wanted(
          properties.containsKey("rules") ? c.rules() : null,
          c.defaultBackend() == null || c.defaultBackend().isBlank() ? null : c.defaultBackend(),
          c.backends(),
          c.force());
    }
  }

  @Activate
  void activate(BundleContext context, RoutingConfig next, Map<String, Object> properties) {
    DeclaredBackends d = new DeclaredBackends(context, this::refresh);
    d.open();
    declared = d;
    configure(next, properties);
  }

  @Modified
  void configure(RoutingConfig next, Map<String, Object> properties) {
    Wanted w = Wanted.of(next, properties);
    synchronized (this) {
      if (rebuild(w)) {
        config = w;
      }
    }
  }

  @Deactivate
  void deactivate() {
    DeclaredBackends d = declared;
    if (d != null) {
      d.close();
    }
  }

  /** ConfigAdmin may arrive after activation: re-decide which backends are configured then. */
  @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
  void bindConfigAdmin(ConfigurationAdmin cm) {
    configAdmin = cm;
    refresh();
  }

  void unbindConfigAdmin(ConfigurationAdmin cm) {
    if (configAdmin == cm) {
      configAdmin = null;
    }
  }

  private void refresh() {
    Wanted c = config;
    if (c != null) {
      synchronized (this) {
        rebuild(c);
      }
    }
  }

  @Override
  public RoutingTable table() {
    return table;
  }

  @Override
  public void configurationEvent(ConfigurationEvent event) {
    for (DeclaredBackend b : declared()) {
      if (event.getPid().equals(b.pid())) {
        refresh();
        return;
      }
    }
  }

  @Override
  public void check(String[] rules, String defaultBackend, String[] lookupOnly, boolean force)
      throws InvalidConfigurationException {
    RoutingTable built =
        build(
            new Wanted(
                rules,
                defaultBackend == null || defaultBackend.isBlank() ? null : defaultBackend,
                lookupOnly,
                force));
    RoutingTable current = table;
    if (current != null && !force) {
      DroppedBackends.check(current, built, holders);
    }
  }

  /**
   * @return whether {@code next} was valid and is now in force
   */
  private boolean rebuild(Wanted next) {
    RoutingTable previous = table;
    try {
      RoutingTable built = build(next);
      if (previous != null && !next.force()) {
        DroppedBackends.check(previous, built, holders);
      }
      table = built;
      logChange(previous, built);
      return true;
    } catch (InvalidConfigurationException e) {
      if (previous == null) {
        table = defaults();
        LOG.error(
            "Routing configuration rejected ({}); using the defaults the backends declare {}",
            e.getMessage(),
            table);
        logChange(null, table);
      } else {
        LOG.error(
            "Routing configuration rejected ({}); the previous routing stays in force: {}",
            e.getMessage(),
            previous);
      }
      return false;
    }
  }

  private RoutingTable defaults() {
    try {
      return build(new Wanted(null, null, new String[0], true));
    } catch (InvalidConfigurationException e) {
      LOG.error(
          "The routes the backend bundles declare are invalid ({}): routing nothing",
          e.getMessage());
      try {
        return RoutingTable.parse(new String[0], NO_BACKEND, new String[0], Fallback.NONE);
      } catch (InvalidConfigurationException impossible) {
        throw new IllegalStateException(impossible);
      }
    }
  }

  /** The table for {@code w}, its unset parts filled in from what the backend bundles declare. */
  private RoutingTable build(Wanted w) throws InvalidConfigurationException {
    List<DeclaredBackend> backends = declared();
    String fallback =
        backends.stream()
            .filter(DeclaredBackend::fallback)
            .map(DeclaredBackend::name)
            .findFirst()
            .orElse(null);
    String[] rules =
        w.rules() != null
            ? w.rules()
            : backends.stream()
                .filter(b -> b.route() != null)
                .map(b -> b.route() + " -> " + b.name())
                .toArray(String[]::new);
    String def = w.defaultBackend();
    if (def == null) {
      def = fallback;
    }
    if (def == null) {
      LOG.error(
          "No routing.defaultBackend and no installed backend declares itself the fallback: keys"
              + " matching no rule go to '{}', which does not exist. Set routing.defaultBackend.",
          NO_BACKEND);
      def = NO_BACKEND;
    }
    Set<String> unconfigured = new LinkedHashSet<>();
    for (DeclaredBackend b : backends) {
      if (b.configuredBy() != null && b.pid() != null && !configured(b)) {
        unconfigured.add(b.name());
      }
    }
    return RoutingTable.parse(rules, def, w.lookupOnly(), new Fallback(unconfigured, fallback));
  }

  private List<DeclaredBackend> declared() {
    DeclaredBackends d = declared;
    return d == null ? List.of() : d.current();
  }

  private void logChange(RoutingTable previous, RoutingTable built) {
    boolean newlyRedirected =
        !built.redirected().isEmpty()
            && (previous == null || !previous.redirected().equals(built.redirected()));
    boolean allVolatile = allVolatile(built);
    if (newlyRedirected || (allVolatile && (previous == null || !allVolatile(previous)))) {
      String line =
          "*****************************************************************************************";
      LOG.warn(line);
      for (String name : built.redirected()) {
        DeclaredBackend b = find(name);
        LOG.warn(
            "* Backend '{}' is NOT CONFIGURED (no '{}' in {}): its routes go to '{}'.",
            name,
            b == null ? "?" : b.configuredBy(),
            b == null ? "?" : b.pid(),
            built.defaultBackend());
      }
      if (allVolatile) {
        LOG.warn(
            "* EVERY tier is stored by the volatile backend {}. Keys are LOST when the runtime stops.",
            built.configuredBackends());
      }
      LOG.warn(line);
    } else if (built.redirected().isEmpty()
        && previous != null
        && !previous.redirected().isEmpty()) {
      LOG.info("Configured now: routes to {} are in force again", previous.redirected());
    }
    if (previous == null || !previous.toString().equals(built.toString())) {
      LOG.info("Routing in force: {}", built);
    }
  }

  private boolean allVolatile(RoutingTable t) {
    for (String name : t.configuredBackends()) {
      DeclaredBackend b = find(name);
      if (b == null || !b.volatileStore()) {
        return false;
      }
    }
    return true;
  }

  private DeclaredBackend find(String name) {
    for (DeclaredBackend b : declared()) {
      if (b.name().equals(name)) {
        return b;
      }
    }
    return null;
  }

  /**
   * A declared backend is configured when its PID carries the property it declares as required
   * (written by the config bridge, a .cfg or the console).
   */
  private boolean configured(DeclaredBackend b) {
    ConfigurationAdmin cm = configAdmin;
    if (cm == null) {
      return false;
    }
    try {
      Configuration[] found =
          cm.listConfigurations(
              "(" + org.osgi.framework.Constants.SERVICE_PID + "=" + b.pid() + ")");
      if (found == null) {
        return false;
      }
      for (Configuration c : found) {
        Dictionary<String, Object> props = c.getProperties();
        Object value = props == null ? null : props.get(b.configuredBy());
        if (value != null && !value.toString().isBlank()) {
          return true;
        }
      }
      return false;
    } catch (IOException | InvalidSyntaxException e) {
      LOG.warn(
          "Cannot read the configuration of {} to decide the routing: {}", b.pid(), e.toString());
      return false;
    }
  }
}
