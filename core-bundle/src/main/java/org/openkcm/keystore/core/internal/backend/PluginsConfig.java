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
              + " not answer in time gives the caller BackendUnavailableException naming it (1ms-10m).")
  String callTimeout() default "5s";

  @AttributeDefinition(
      name = "Absent wait",
      description =
          "How long a call waits for a configured backend that has"
              + " no service right now (e.g. its bundle is being updated) before failing. Capped by the call timeout (0s-10m).")
  String absentWait() default "2s";

  @AttributeDefinition(
      name = "Concurrent calls per backend",
      description =
          "Worker threads per backend; when"
              + " all are busy (a hung backend) further calls queue, and past the queue they fail at once (1-1024).")
  int maxConcurrentCalls() default 32;

  @AttributeDefinition(
      name = "Queued calls per backend",
      description = "Calls waiting for a worker, per backend (0-100000).")
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
      name = "Worker backends",
      required = false,
      description =
          "Backends always called on a worker"
              + " thread, even when their service declares keystore.interruptible=true (which lets the core call"
              + " them on the caller's thread, with the same deadline and limits, and saves two thread hand-offs"
              + " per call): for a backend whose waits you do not trust to end on an interrupt.")
  String[] workerBackends() default {};

  @AttributeDefinition(
      name = "Health interval",
      description = "Time between health checks of a healthy backend (10ms-1d).")
  String healthInterval() default "30s";

  @AttributeDefinition(
      name = "Unhealthy health interval",
      description = "Time between health checks of a" + " backend that is not UP (10ms-1d).")
  String unhealthyInterval() default "5s";

  @AttributeDefinition(
      name = "Health timeout",
      description = "Deadline of one health check (1ms-10m).")
  String healthTimeout() default "3s";

  @AttributeDefinition(
      name = "Degraded latency",
      description = "A backend that reports UP slower than this is DEGRADED (1ms-10m).")
  String degradedLatency() default "1s";

  @AttributeDefinition(
      name = "Circuit breaker: failures",
      description =
          "Consecutive failed calls (unavailable,"
              + " sealed, deadline passed) after which a backend's circuit breaker opens and calls fail at once; 0 = off (0-1000). Sealed answers never count.")
  int breakerFailures() default 5;

  @AttributeDefinition(
      name = "Circuit breaker: open time",
      description =
          "How long an open breaker fails calls fast"
              + " before letting one probe call through (its success closes the breaker).")
  String breakerOpenTime() default "5s";
}
