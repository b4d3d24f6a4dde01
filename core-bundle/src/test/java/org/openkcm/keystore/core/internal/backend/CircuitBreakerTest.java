package org.openkcm.keystore.core.internal.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.openkcm.keystore.core.internal.support.Keys.l2;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.api.BackendStatus;
import org.openkcm.keystore.inmemory.internal.InMemoryKeystore;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.KeyNotFoundException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.spi.Keystore;
import org.openkcm.keystore.testkit.FaultInjectingKeystore;
import org.openkcm.keystore.testkit.FaultInjectingKeystore.Fault;
import org.openkcm.keystore.testkit.FaultInjectingKeystore.FaultPlan;

/**
 * The per-backend circuit breaker: opens after N consecutive failures, fails fast, one probe,
 * closes on success.
 */
class CircuitBreakerTest {
  private final AtomicLong clock = new AtomicLong(1_000_000_000L);
  private final CircuitBreaker breaker = new CircuitBreaker("vault", clock::get);
  private static final Duration OPEN = Duration.ofSeconds(5);
  private Fixture fx;

  @AfterEach
  void tearDown() {
    if (fx != null) {
      fx.close();
    }
  }

  private void fail(int times) throws Exception {
    for (int i = 0; i < times; i++) {
      breaker.failure(breaker.admit(3, null), 3, OPEN);
    }
  }

  @Test
  void opensAfterNConsecutiveFailuresAndFailsFastWithTheRemainingOpenTimeAsHint() throws Exception {
    fail(2);
    breaker.success(breaker.admit(3, null)); // a success in between resets the count
    fail(2);
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    fail(1);
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    clock.addAndGet(Duration.ofSeconds(2).toNanos());
    assertThatThrownBy(() -> breaker.admit(3, KeyRef.of("k", 1)))
        .isInstanceOfSatisfying(
            BackendUnavailableException.class,
            e -> {
              assertThat(e.retryAfter()).contains(Duration.ofSeconds(3));
              assertThat(e.getMessage()).contains("vault").contains("circuit breaker open");
            });
    assertThat(breaker.describe()).contains("OPEN").contains("3000 ms left");
  }

  @Test
  void halfOpenLetsExactlyOneProbeThroughAndItsOutcomeDecides() throws Exception {
    fail(3);
    clock.addAndGet(OPEN.toNanos());
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
    CircuitBreaker.Permit probe = breaker.admit(3, null);
    assertThat(probe.probe()).isTrue();
    assertThatThrownBy(() -> breaker.admit(3, null))
        .as("only one probe at a time")
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("probe");
    breaker.failure(probe, 3, OPEN);
    assertThat(breaker.state())
        .as("a failed probe opens it again for the full time")
        .isEqualTo(CircuitBreaker.State.OPEN);
    clock.addAndGet(OPEN.toNanos() - 1);
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    clock.addAndGet(1);
    CircuitBreaker.Permit second = breaker.admit(3, null);
    breaker.success(second);
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(breaker.admit(3, null).probe()).isFalse();
  }

  @Test
  void zeroFailuresSwitchesItOff() throws Exception {
    for (int i = 0; i < 100; i++) {
      breaker.failure(breaker.admit(0, null), 0, OPEN);
    }
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @Test
  void throughThePluginManagerAnOpenBreakerSparesTheBackendAndShowsInTheAdminView()
      throws Exception {
    fx =
        new Fixture(
            new String[] {"tier=L2,L3 -> vault"},
            "vault",
            Map.of(
                "breakerFailures",
                3,
                "breakerOpenTime",
                "300ms",
                "healthInterval",
                "1h",
                "inlineBackends",
                new String[0]));
    FaultInjectingKeystore vault = new FaultInjectingKeystore(new InMemoryKeystore("vault", 100));
    fx.register("vault", 0, vault);
    Keystore guarded = fx.manager.backend("vault");
    vault.plan((n, op) -> Fault.FAIL_BEFORE);
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> guarded.retrieve(KeyRef.of("k", 1)))
          .isInstanceOf(BackendUnavailableException.class);
    }
    long callsWhenOpened = vault.calls();
    for (int i = 0; i < 50; i++) {
      assertThatThrownBy(() -> guarded.retrieve(KeyRef.of("k", 1)))
          .isInstanceOfSatisfying(
              BackendUnavailableException.class,
              e ->
                  assertThat(e.retryAfter().orElseThrow())
                      .isPositive()
                      .isLessThanOrEqualTo(Duration.ofMillis(300)));
    }
    assertThat(vault.calls())
        .as("an open breaker sends nothing to the backend")
        .isEqualTo(callsWhenOpened);
    assertThat(detail()).contains("breaker OPEN");

    vault.plan(FaultPlan.none());
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                fx.manager.guard("vault").guard().breaker().state()
                    == CircuitBreaker.State.HALF_OPEN);
    assertThatThrownBy(() -> guarded.retrieve(KeyRef.of("k", 1)))
        .as("the probe reaches the backend; not found is an answer")
        .isInstanceOf(KeyNotFoundException.class);
    assertThat(vault.calls()).isEqualTo(callsWhenOpened + 1);
    guarded.store(l2("a"), new byte[] {1, 2, 3});
    assertThat(detail()).contains("breaker CLOSED").contains("opened 1 time(s)");
  }

  @Test
  void theRetriesOfOneRequestCountAsOneBreakerFailure() throws Exception {
    fx =
        new Fixture(
            new String[] {"tier=L2,L3 -> vault"},
            "vault",
            Map.of(
                "breakerFailures",
                2,
                "breakerOpenTime",
                "1h",
                "healthInterval",
                "1h",
                "inlineBackends",
                new String[0]));
    FaultInjectingKeystore vault = new FaultInjectingKeystore(new InMemoryKeystore("vault", 100));
    fx.register("vault", 0, vault);
    Keystore guarded = fx.manager.backend("vault");
    vault.plan((n, op) -> Fault.FAIL_BEFORE);

    assertThatThrownBy(() -> guarded.retrieve(KeyRef.of("k", 1)))
        .isInstanceOf(BackendUnavailableException.class);
    assertThat(vault.calls()).as("one request, every attempt made").isEqualTo(Request.ATTEMPTS);
    CircuitBreaker breaker = fx.manager.guard("vault").guard().breaker();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(breaker.describe()).contains("1 consecutive failure(s)");

    assertThatThrownBy(() -> guarded.store(l2("a"), new byte[] {1}))
        .isInstanceOf(BackendUnavailableException.class);
    assertThat(vault.calls())
        .as("the store, its answer maybe lost, then every attempt to read it back")
        .isEqualTo(Request.ATTEMPTS + 1L + Request.ATTEMPTS);
    assertThat(breaker.state())
        .as("the second failed request opens a breaker of 2")
        .isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(vault.delegate().list(org.openkcm.keystore.model.KeyFilter.all()).items())
        .as("no write reached the backend")
        .isEmpty();
  }

  @Test
  void aWriteWhoseAnswerWasLostIsReadBackAndCountsAsOneSuccess() throws Exception {
    fx =
        new Fixture(
            new String[] {"tier=L2,L3 -> vault"},
            "vault",
            Map.of(
                "breakerFailures",
                1,
                "breakerOpenTime",
                "1h",
                "healthInterval",
                "1h",
                "inlineBackends",
                new String[0]));
    FaultInjectingKeystore vault = new FaultInjectingKeystore(new InMemoryKeystore("vault", 100));
    fx.register("vault", 0, vault);
    Keystore guarded = fx.manager.backend("vault");
    vault.plan((n, op) -> n == 1 ? Fault.FAIL_AFTER : null);

    long revision = guarded.store(l2("a"), new byte[] {1, 2});

    assertThat(revision).isEqualTo(1);
    assertThat(vault.calls()).as("the lost store, then its read-back").isEqualTo(2);
    assertThat(vault.delegate().retrieve(l2("a").ref()).sealed()).containsExactly(1, 2);
    assertThat(fx.manager.guard("vault").guard().breaker().describe())
        .as("a request that ended with an answer is a success, even of a breaker of 1")
        .isEqualTo("breaker CLOSED");
  }

  @Test
  void aSealedBackendKeepsAnsweringSealedAndNeverOpensTheBreaker() throws Exception {
    fx =
        new Fixture(
            new String[] {"tier=L2,L3 -> vault"},
            "vault",
            Map.of(
                "breakerFailures",
                3,
                "breakerOpenTime",
                "1h",
                "healthInterval",
                "1h",
                "inlineBackends",
                new String[0]));
    InMemoryKeystore real = new InMemoryKeystore("vault", 100);
    Keystore sealed =
        (Keystore)
            java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {Keystore.class},
                (p, m, args) -> {
                  if (m.getName().equals("retrieve")) {
                    throw new org.openkcm.keystore.model.BackendSealedException(
                        "vault", (KeyRef) args[0], null);
                  }
                  return m.invoke(real, args);
                });
    fx.register("vault", 0, sealed);
    Keystore guarded = fx.manager.backend("vault");
    for (int i = 0; i < 20; i++) {
      assertThatThrownBy(() -> guarded.retrieve(KeyRef.of("k", 1)))
          .isInstanceOf(org.openkcm.keystore.model.BackendSealedException.class);
    }
    assertThat(fx.manager.guard("vault").guard().breaker().state())
        .isEqualTo(CircuitBreaker.State.CLOSED);
  }

  private String detail() {
    return fx.manager.backends().stream()
        .filter(b -> b.name().equals("vault"))
        .map(BackendStatus::detail)
        .findFirst()
        .orElseThrow();
  }
}
