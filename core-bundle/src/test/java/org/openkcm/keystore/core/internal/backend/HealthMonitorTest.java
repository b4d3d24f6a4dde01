package org.openkcm.keystore.core.internal.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.api.BackendStatus;
import org.openkcm.keystore.core.internal.support.Keys;
import org.openkcm.keystore.inmemory.internal.InMemoryKeystore;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.spi.BackendHealth;
import org.openkcm.keystore.spi.BackendState;
import org.openkcm.keystore.spi.Keystore;

class HealthMonitorTest {
  private Fixture fx;
  private Unresponsive hung;

  @AfterEach
  void tearDown() {
    if (hung != null) {
      hung.close();
    }
    fx.close();
  }

  /** InMemory with a health answer the test sets. */
  private static Keystore withHealth(InMemoryKeystore real, AtomicReference<BackendHealth> health) {
    return (Keystore)
        java.lang.reflect.Proxy.newProxyInstance(
            HealthMonitorTest.class.getClassLoader(),
            new Class<?>[] {Keystore.class},
            (p, m, args) -> m.getName().equals("health") ? health.get() : m.invoke(real, args));
  }

  private BackendStatus status(String name) {
    return fx.manager.backends().stream()
        .filter(s -> s.name().equals(name))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void periodicChecksFollowTheBackendAndFasterWhileUnhealthy() throws Exception {
    fx =
        new Fixture(
            new String[] {"* -> vault"},
            "vault",
            Map.of("healthInterval", "1h", "unhealthyInterval", "50ms"));
    AtomicReference<BackendHealth> health =
        new AtomicReference<>(BackendHealth.of(BackendState.SEALED, "sealed", Duration.ZERO));
    fx.register("vault", 0, withHealth(new InMemoryKeystore("vault", 10), health));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> status("vault").state() == BackendState.SEALED);
    assertThat(status("vault").detail()).contains("sealed");
    // unhealthy: re-checked within the short interval, so recovery shows without waiting an hour
    health.set(BackendHealth.up(Duration.ZERO));
    await().atMost(Duration.ofSeconds(5)).until(() -> status("vault").state() == BackendState.UP);
  }

  @Test
  void eachStateTransitionIsLoggedOnceNotOnEveryCheck() throws Exception {
    java.io.PrintStream original = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      fx =
          new Fixture(
              new String[] {"* -> vault"},
              "vault",
              Map.of("healthInterval", "20ms", "unhealthyInterval", "20ms"));
      java.util.concurrent.atomic.AtomicInteger checks =
          new java.util.concurrent.atomic.AtomicInteger();
      AtomicReference<BackendHealth> health =
          new AtomicReference<>(BackendHealth.of(BackendState.SEALED, "sealed", Duration.ZERO));
      InMemoryKeystore real = new InMemoryKeystore("vault", 10);
      fx.register(
          "vault",
          0,
          (Keystore)
              java.lang.reflect.Proxy.newProxyInstance(
                  getClass().getClassLoader(),
                  new Class<?>[] {Keystore.class},
                  (p, m, args) -> {
                    if (m.getName().equals("health")) {
                      checks.incrementAndGet();
                      return health.get();
                    }
                    return m.invoke(real, args);
                  }));
      await().atMost(Duration.ofSeconds(10)).until(() -> checks.get() >= 5);
      health.set(BackendHealth.up(Duration.ZERO));
      int upFrom = checks.get();
      await().atMost(Duration.ofSeconds(10)).until(() -> checks.get() >= upFrom + 5);
    } finally {
      System.setErr(original);
    }
    String log = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(log.lines().filter(l -> l.contains("Backend 'vault' is SEALED"))).hasSize(1);
    assertThat(log.lines().filter(l -> l.contains("Backend 'vault' is UP (was SEALED)")))
        .hasSize(1);
  }

  @Test
  void onDemandCheckReportsStateLatencyKeyCountAndSlowBackendsAsDegraded() throws Exception {
    fx =
        new Fixture(
            new String[] {"* -> vault"},
            "vault",
            Map.of("healthInterval", "1h", "degradedLatency", "5ms"));
    InMemoryKeystore real = new InMemoryKeystore("vault", 10);
    real.store(Keys.key("a", KeyTier.L2, "tenant:acme"), new byte[] {1});
    real.store(Keys.key("b", KeyTier.L2, "tenant:acme"), new byte[] {1});
    AtomicReference<BackendHealth> health =
        new AtomicReference<>(BackendHealth.up(Duration.ofMillis(1)));
    fx.register("vault", 0, withHealth(real, health));
    BackendStatus s = fx.manager.checkHealth("vault");
    assertThat(s.state()).isEqualTo(BackendState.UP);
    assertThat(s.keyCount()).isEqualTo(2);
    assertThat(s.present()).isTrue();
    assertThat(s.checkedAt()).isNotNull();
    health.set(BackendHealth.up(Duration.ofMillis(40)));
    s = fx.manager.checkHealth("vault");
    assertThat(s.state()).isEqualTo(BackendState.DEGRADED);
    assertThat(s.latency()).isEqualTo(Duration.ofMillis(40));
  }

  @Test
  void aHungHealthCheckEndsAtItsDeadlineAsUnavailableAndAnAbsentBackendIsUnavailable()
      throws Exception {
    fx =
        new Fixture(
            new String[] {"* -> vault"},
            "vault",
            Map.of("healthInterval", "1h", "healthTimeout", "100ms"));
    BackendStatus absent = fx.manager.checkHealth("vault");
    assertThat(absent.state()).isEqualTo(BackendState.UNAVAILABLE);
    assertThat(absent.present()).isFalse();
    assertThat(absent.detail()).contains("no Keystore service");
    hung = new Unresponsive(new InMemoryKeystore("vault", 10));
    fx.register("vault", 0, hung.keystore);
    long start = System.nanoTime();
    BackendStatus s = fx.manager.checkHealth("vault");
    assertThat(s.state()).isEqualTo(BackendState.UNAVAILABLE);
    assertThat(s.detail()).contains("100 ms");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }
}
