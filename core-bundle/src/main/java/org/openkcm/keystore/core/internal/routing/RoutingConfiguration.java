package org.openkcm.keystore.core.internal.routing;

import java.io.IOException;
import java.util.Dictionary;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
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
 * in force stays. Watches the OpenBao PID too: OpenBao without an address is not a usable backend,
 * so routes to it go to InMemory, and a loud warning says so.
 */
@Component(
    service = {Router.class, ConfigurationListener.class, RoutingChanges.class},
    configurationPid = RoutingConfiguration.PID,
    configurationPolicy = ConfigurationPolicy.OPTIONAL,
    immediate = true)
@Designate(ocd = RoutingConfig.class)
public final class RoutingConfiguration implements Router, ConfigurationListener, RoutingChanges {
  public static final String PID = "org.openkcm.keystore.routing";
  public static final String OPENBAO_PID = "org.openkcm.keystore.openbao";
  private static final Logger LOG = LoggerFactory.getLogger(RoutingConfiguration.class);

  private volatile ConfigurationAdmin configAdmin;

  @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
  private volatile KeyHolders holders;

  private volatile RoutingConfig config;
  private volatile RoutingTable table;

  @Activate
  @Modified
  void configure(RoutingConfig next) {
    synchronized (this) {
      if (rebuild(next)) {
        config = next;
      }
    }
  }

  /** ConfigAdmin may arrive after activation: re-decide the OpenBao fallback then. */
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
    RoutingConfig c = config;
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
    if (OPENBAO_PID.equals(event.getPid())) {
      refresh();
    }
  }

  @Override
  public void check(String[] rules, String defaultBackend, String[] lookupOnly, boolean force)
      throws InvalidKeyRequestException {
    RoutingTable built = RoutingTable.parse(rules, defaultBackend, lookupOnly, openBaoConfigured());
    RoutingTable current = table;
    if (current != null && !force) {
      DroppedBackends.check(current, built, holders);
    }
  }

  /**
   * @return whether {@code next} was valid and is now in force
   */
  private boolean rebuild(RoutingConfig next) {
    RoutingTable previous = table;
    try {
      RoutingTable built =
          RoutingTable.parse(
              next.rules(), next.defaultBackend(), next.backends(), openBaoConfigured());
      if (previous != null && !next.force()) {
        DroppedBackends.check(previous, built, holders);
      }
      table = built;
      logChange(previous, built);
      return true;
    } catch (InvalidKeyRequestException e) {
      if (previous == null) {
        table = defaults();
        LOG.error(
            "Routing configuration rejected ({}); using the built-in defaults {}",
            e.getMessage(),
            table);
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
      return RoutingTable.parse(
          new String[] {"tier=L2,L3 -> openbao", "tier=L4 -> inmemory"},
          RoutingTable.INMEMORY,
          new String[0],
          openBaoConfigured());
    } catch (InvalidKeyRequestException e) {
      throw new IllegalStateException("built-in routing defaults are invalid", e);
    }
  }

  private static void logChange(RoutingTable previous, RoutingTable built) {
    if (built.openBaoFallback() && (previous == null || !previous.openBaoFallback())) {
      LOG.warn(
          "*****************************************************************************************");
      LOG.warn(
          "* No OpenBao is configured (no address in backends.openbao / BAO_ADDR): EVERY tier is   *");
      LOG.warn(
          "* stored by the volatile 'inmemory' backend. Keys are LOST when the runtime stops.        *");
      LOG.warn(
          "*****************************************************************************************");
    } else if (!built.openBaoFallback() && previous != null && previous.openBaoFallback()) {
      LOG.info("OpenBao is configured now: routes to 'openbao' are in force again");
    }
    if (previous == null || !previous.toString().equals(built.toString())) {
      LOG.info("Routing in force: {}", built);
    }
  }

  /**
   * OpenBao counts as configured when its PID carries an address (written by the config bridge, a
   * .cfg or the console).
   */
  private boolean openBaoConfigured() {
    ConfigurationAdmin cm = configAdmin;
    if (cm == null) {
      return false;
    }
    try {
      Configuration[] found =
          cm.listConfigurations(
              "(" + org.osgi.framework.Constants.SERVICE_PID + "=" + OPENBAO_PID + ")");
      if (found == null) {
        return false;
      }
      for (Configuration c : found) {
        Dictionary<String, Object> props = c.getProperties();
        Object address = props == null ? null : props.get("address");
        if (address != null && !address.toString().isBlank()) {
          return true;
        }
      }
      return false;
    } catch (IOException | InvalidSyntaxException e) {
      LOG.warn("Cannot read the OpenBao configuration to decide the routing: {}", e.toString());
      return false;
    }
  }
}
