package org.openkcm.keystore.core.internal.routing;

import java.util.Set;

/**
 * The generic rule for a backend that is installed but not configured (its bundle declares which
 * configuration property makes it usable, and that property is missing): every route to it goes to
 * the fallback backend instead, it is not a configured backend, and the routing says so loudly.
 *
 * @param unconfigured the backends whose routes are redirected
 * @param target where their routes go (the backend a bundle declares as the fallback)
 */
record Fallback(Set<String> unconfigured, String target) {
  static final Fallback NONE = new Fallback(Set.of(), null);

  Fallback {
    unconfigured = Set.copyOf(unconfigured);
  }

  boolean redirects(String backend) {
    return target != null && unconfigured.contains(backend);
  }
}
