package org.openkcm.keystore.metrics.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(
    name = "OpenKCM Keystore metrics",
    description = "Prometheus text format on the runtime's HTTP port")
public @interface MetricsConfig {
  String PID = "org.openkcm.keystore.metrics";

  @AttributeDefinition(
      description =
          "Require the console's login (HTTP Basic, OPENKCM_CONSOLE_USER / OPENKCM_CONSOLE_PASSWORD);"
              + " false serves /metrics to anyone who reaches the port")
  boolean requireLogin() default true;
}
