package org.openkcm.keystore.audit.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(
    name = "OpenKCM Keystore audit trail",
    description = "Every operation is recorded in the audit sinks before it is acknowledged")
public @interface AuditTrailConfig {
  String PID = "org.openkcm.keystore.audit";

  @AttributeDefinition(
      description =
          "Development only: acknowledge operations even when no audit sink can write (they are then"
              + " unaccounted for)")
  boolean failOpen() default false;
}
