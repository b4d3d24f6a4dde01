package org.openkcm.keystore.core.internal.backend;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Deadlines and health checks of backend calls (PID {@code org.openkcm.keystore.plugins}, yaml
 * {@code plugins}).
 */
@ObjectClassDefinition(
    name = "OpenKCM Keystore plugin manager",
    description =
        "Deadlines, concurrency limits"
            + " and health checks of the storage backends. Durations: 250ms, 5s, 2m, 1h or ISO-8601 (PT5S).")
public @interface PluginsConfig {

  @AttributeDefinition(
      name = "Call timeout",
      description =
          "Deadline of every backend call; a backend that does"
              + " not answer in time gives the caller BackendUnavailableException naming it.")
  String callTimeout() default "5s";

  @AttributeDefinition(
      name = "Absent wait",
      description =
          "How long a call waits for a configured backend that has"
              + " no service right now (e.g. its bundle is being updated) before failing. Capped by the call timeout.")
  String absentWait() default "2s";

  @AttributeDefinition(
      name = "Concurrent calls per backend",
      description =
          "Worker threads per backend; when"
              + " all are busy (a hung backend) further calls queue, and past the queue they fail at once.")
  int maxConcurrentCalls() default 32;

  @AttributeDefinition(
      name = "Queued calls per backend",
      description = "Calls waiting for a worker, per backend.")
  int maxQueuedCalls() default 256;

  @AttributeDefinition(
      name = "Inline backends",
      required = false,
      description =
          "Further backends called on the caller's"
              + " thread instead of a worker, besides those whose service declares keystore.inline=true: only for"
              + " in-process backends that never block (a hand-off to a worker costs about 100 times an in-memory"
              + " call). Calls to them have no deadline; everything else is the same.")
  String[] inlineBackends() default {};

  @AttributeDefinition(
      name = "Health interval",
      description = "Time between health checks of a healthy backend.")
  String healthInterval() default "30s";

  @AttributeDefinition(
      name = "Unhealthy health interval",
      description = "Time between health checks of a" + " backend that is not UP.")
  String unhealthyInterval() default "5s";

  @AttributeDefinition(name = "Health timeout", description = "Deadline of one health check.")
  String healthTimeout() default "3s";

  @AttributeDefinition(
      name = "Degraded latency",
      description = "A backend that reports UP slower than this is DEGRADED.")
  String degradedLatency() default "1s";

  @AttributeDefinition(
      name = "Circuit breaker: failures",
      description =
          "Consecutive failed calls (unavailable,"
              + " sealed, deadline passed) after which a backend's circuit breaker opens and calls fail at once; 0 = off.")
  int breakerFailures() default 5;

  @AttributeDefinition(
      name = "Circuit breaker: open time",
      description =
          "How long an open breaker fails calls fast"
              + " before letting one probe call through (its success closes the breaker).")
  String breakerOpenTime() default "5s";
}
