package org.openkcm.keystore.core.internal.routing;

import java.util.ArrayList;
import java.util.List;
import org.openkcm.keystore.model.InvalidConfigurationException;

/**
 * A routing change may not silently drop a backend that holds keys: once it is no longer configured
 * the core never calls it, so its keys are unreachable for lookups and the reconciler (a rule
 * naming a backend that does not exist used to drop the backend holding every L2/L3 this way). Such
 * a change is refused unless forced, naming the backends. Routes that go to the fallback backend
 * only because their backend is not configured are not a routing change and are not checked here.
 */
final class DroppedBackends {

  private DroppedBackends() {}

  static void check(RoutingTable current, RoutingTable next, KeyHolders holders)
      throws InvalidConfigurationException {
    if (holders == null) {
      return; // no plugin manager yet (start-up): nothing is being served from any backend
    }
    List<String> unreachable = new ArrayList<>();
    for (String name : current.configuredBackends()) {
      if (next.isConfigured(name) || next.redirected().contains(name)) {
        continue;
      }
      KeyHolders.Holding h = holders.holding(name);
      if (h != KeyHolders.Holding.NONE) {
        unreachable.add(
            "'"
                + name
                + "'"
                + (h == KeyHolders.Holding.UNKNOWN
                    ? " (could not be asked; may hold keys)"
                    : " (holds keys)"));
      }
    }
    if (!unreachable.isEmpty()) {
      throw new InvalidConfigurationException(
          "routing",
          "the change would drop "
              + String.join(", ", unreachable)
              + " from the configured backends, leaving its keys unreachable for lookups and the reconciler. Keep it in"
              + " routing.backends (lookup-only), migrate its keys first, or set routing.force: true");
    }
  }
}
