package org.openkcm.keystore.core.internal.routing;

/** The current routing table, swapped whole on every configuration change. Internal service. */
public interface Router {

  /**
   * @return the table in force now; never {@code null}
   */
  RoutingTable table();
}
