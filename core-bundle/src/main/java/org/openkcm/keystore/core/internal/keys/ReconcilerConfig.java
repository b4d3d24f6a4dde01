package org.openkcm.keystore.core.internal.keys;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The saga reconciler (PID {@code org.openkcm.keystore.reconciler}, yaml {@code reconciler}). */
@ObjectClassDefinition(
    pid = ReconcilerConfig.PID,
    name = "OpenKCM Keystore - Reconciler",
    description =
        "Finishes or rolls back multi-step"
            + " operations (rotation, destroy, migration) that a crash or fault left half-done. Durations: 250ms, 5s, 2m, 1h, PT5S.")
public @interface ReconcilerConfig {
  String PID = "org.openkcm.keystore.reconciler";

  @AttributeDefinition(name = "Enabled", description = "Run a pass at start and then periodically.")
  boolean enabled() default true;

  @AttributeDefinition(name = "Interval", description = "Time between passes (100ms-1d).")
  String interval() default "1m";

  @AttributeDefinition(
      name = "Grace period",
      description =
          "Intent records younger than this are left alone: their"
              + " saga may still be running on this or another node. Keep it well above the call timeout (1s-7d).")
  String gracePeriod() default "30s";

  @AttributeDefinition(
      name = "Duplicate scan",
      description =
          "Also resolve records held by two backends (a stopped"
              + " migration). Lists the metadata of every backend on each pass.")
  boolean duplicateScan() default true;
}
