package org.openkcm.keystore.core.internal.backend;

import java.util.Map;
import java.util.Set;
import org.openkcm.keystore.spi.Keystore;

/**
 * The core's call layer ({@link GuardedKeystore}) for a core assembled outside OSGi (tests,
 * benchmarks), over one fixed service: retries of idempotent calls and the read-back of writes
 * whose answer was lost, as in the runtime. It is called on the caller's thread (as the runtime
 * calls an inline backend) and has no circuit breaker: such a core has no health monitor to close
 * it again.
 */
public final class CallLayer {
  private CallLayer() {}

  /**
   * @return {@code service} behind the call layer, under its own {@link Keystore#info()} name
   */
  public static Keystore over(Keystore service) {
    String name = service.info().name();
    BackendServices services = new BackendServices();
    services.put(service, Map.of(Keystore.BACKEND_PROPERTY, name, "service.id", 1L));
    PluginSettings d = PluginSettings.DEFAULTS;
    PluginSettings settings =
        new PluginSettings(
            d.callTimeout(),
            d.absentWait(),
            d.maxConcurrentCalls(),
            d.maxQueuedCalls(),
            Set.of(name),
            Set.of(),
            d.healthInterval(),
            d.unhealthyInterval(),
            d.healthTimeout(),
            d.degradedLatency(),
            0,
            d.breakerOpenTime());
    return new GuardedKeystore(
        new CallGuard(name, services, () -> settings, e -> {}), () -> true, () -> settings);
  }
}
