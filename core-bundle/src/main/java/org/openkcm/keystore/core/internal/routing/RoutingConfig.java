package org.openkcm.keystore.core.internal.routing;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Routing of new keys (PID {@code org.openkcm.keystore.routing}, yaml section {@code routing}). */
@ObjectClassDefinition(
    name = "OpenKCM Keystore routing",
    description =
        "Which backend new keys go to."
            + " Rules are tried in order, the first match wins, then the default. Only backends named here are ever used.")
public @interface RoutingConfig {

  @AttributeDefinition(
      name = "Rules",
      description =
          "One rule per entry: '[tier=L2,L3] [owner=type:id-pattern]"
              + " [tag.NAME=value-pattern]... -> backend', e.g. 'tier=L3 owner=tenant:eu-* -> store-eu' or"
              + " 'tag.region=us -> store-us'. Patterns take * and ?. Unset: the routes the installed"
              + " backend bundles declare for themselves.")
  String[] rules() default {};

  @AttributeDefinition(
      name = "Default backend",
      required = false,
      description =
          "Where a key matching no rule goes. Unset: the backend an installed bundle declares as"
              + " the fallback.")
  String defaultBackend() default "";

  @AttributeDefinition(
      name = "Lookup-only backends",
      required = false,
      description =
          "Further backends that"
              + " receive no new keys but may still hold keys (after a routing change) or be a migration target.")
  String[] backends() default {};

  @AttributeDefinition(
      name = "Force",
      description =
          "Apply this routing even if it drops a backend that still holds"
              + " keys (they become unreachable for lookups and the reconciler). Without it such a change is refused.")
  boolean force() default false;
}
