package org.openkcm.keystore.core.internal.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.openkcm.keystore.core.internal.support.Keys.key;
import static org.openkcm.keystore.core.internal.support.Keys.l2;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.inmemory.internal.InMemoryKeystore;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.InvalidConfigurationException;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.spi.BackendHealth;
import org.openkcm.keystore.spi.KeyRecord;
import org.openkcm.keystore.spi.Keystore;
import org.openkcm.keystore.testkit.FaultInjectingKeystore;
import org.openkcm.keystore.testkit.FaultInjectingKeystore.Fault;
import org.openkcm.keystore.testkit.FaultInjectingKeystore.FaultPlan;
import org.openkcm.keystore.testkit.FaultInjectingKeystore.Operation;

class PluginManagerTest {
  private static final byte[] SEALED = {9, 8, 7, 6};
  private final List<FaultInjectingKeystore> hanging = new ArrayList<>();
  private final List<Unresponsive> unresponsive = new ArrayList<>();
  private Fixture fx;

  @AfterEach
  void tearDown() {
    hanging.forEach(FaultInjectingKeystore::releaseHangs);
    unresponsive.forEach(Unresponsive::close);
    if (fx != null) {
      fx.close();
    }
  }

  private Fixture fixture(Map<String, Object> settings) throws InvalidConfigurationException {
    fx =
        new Fixture(
            new String[] {"tier=L2,L3 -> vault", "tier=L4 -> inmemory"}, "inmemory", settings);
    return fx;
  }

  @Test
  void higherRankingWinsThenLowerServiceIdAndTheNextTakesOverOnRemoval() throws Exception {
    fixture(Map.of());
    InMemoryKeystore first = new InMemoryKeystore("vault", 100);
    InMemoryKeystore sameRank = new InMemoryKeystore("vault", 100);
    InMemoryKeystore higher = new InMemoryKeystore("vault", 100);
    Map<String, Object> p1 = fx.register("vault", 0, first);
    fx.register("vault", 0, sameRank);
    fx.manager.route(l2("a")).store(l2("a"), SEALED);
    assertThat(first.size()).as("equal ranking: the lower service id wins").isEqualTo(1);

    Map<String, Object> p3 = fx.register("vault", 10, higher);
    fx.manager.route(l2("b")).store(l2("b"), SEALED);
    assertThat(higher.size()).as("the higher ranking takes over at once").isEqualTo(1);

    fx.unregister(higher, p3);
    fx.unregister(first, p1);
    fx.manager.route(l2("c")).store(l2("c"), SEALED);
    assertThat(sameRank.size()).as("the next in order takes over on removal").isEqualTo(1);
  }

  @Test
  void aRankingChangeOfARegisteredServiceReordersIt() throws Exception {
    fixture(Map.of());
    InMemoryKeystore a = new InMemoryKeystore("vault", 100);
    InMemoryKeystore b = new InMemoryKeystore("vault", 100);
    fx.register("vault", 5, a);
    Map<String, Object> pb = fx.register("vault", 1, b);
    pb.put("service.ranking", 50);
    fx.manager.updatedKeystore(b, pb);
    fx.manager.route(l2("x")).store(l2("x"), SEALED);
    assertThat(b.size()).isEqualTo(1);
    assertThat(a.size()).isZero();
  }

  @Test
  void aRogueServiceUnderAnUnconfiguredNameReceivesNothing() throws Exception {
    fixture(Map.of("absentWait", "20ms"));
    InMemoryKeystore rogue = new InMemoryKeystore("rogue", 100);
    InMemoryKeystore legit = new InMemoryKeystore("inmemory", 100);
    fx.register("rogue", Integer.MAX_VALUE, rogue);
    fx.register("inmemory", 0, legit);
    for (KeyTier tier : KeyTier.values()) {
      KeyMetadata m = key("k-" + tier, tier, "tenant:acme");
      assertThat(fx.manager.route(m).info().name()).isNotEqualTo("rogue");
    }
    fx.manager
        .route(key("l4", KeyTier.L4, "node:n"))
        .store(key("l4", KeyTier.L4, "node:n"), SEALED);
    assertThat(fx.manager.configured())
        .extracting(k -> ((GuardedKeystore) k).name())
        .containsExactly("vault", "inmemory");
    assertThatThrownBy(() -> fx.manager.backend("rogue"))
        .isInstanceOf(InvalidKeyRequestException.class)
        .hasMessageContaining("rogue");
    assertThatThrownBy(
            () -> fx.manager.migrate(org.openkcm.keystore.model.KeyFilter.all(), "rogue"))
        .isInstanceOf(InvalidKeyRequestException.class);
    assertThat(fx.manager.backends())
        .filteredOn(s -> s.name().equals("rogue"))
        .singleElement()
        .satisfies(s -> assertThat(s.configured()).isFalse())
        .satisfies(s -> assertThat(s.present()).isTrue());
    assertThat(rogue.size()).isZero();
    assertThat(legit.size()).isEqualTo(1);
  }

  @Test
  void anAbsentConfiguredBackendFailsWithinTheAbsentWaitNamingIt() throws Exception {
    fixture(Map.of("absentWait", "100ms", "callTimeout", "2s"));
    Keystore vault = fx.manager.route(l2("a"));
    long start = System.nanoTime();
    assertThatThrownBy(() -> vault.store(l2("a"), SEALED))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("'vault'")
        .satisfies(e -> assertThat(((KeystoreException) e).backend()).contains("vault"));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void aCallWaitingForAnAbsentBackendProceedsWhenItArrives() throws Exception {
    fixture(Map.of("absentWait", "10s", "callTimeout", "10s"));
    Keystore vault = fx.manager.route(l2("a"));
    CompletableFuture<Long> call =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return vault.store(l2("a"), SEALED);
              } catch (KeystoreException e) {
                throw new IllegalStateException(e);
              }
            });
    InMemoryKeystore arriving = new InMemoryKeystore("vault", 10);
    fx.register("vault", 0, arriving);
    assertThat(call.get(10, TimeUnit.SECONDS)).isEqualTo(1L);
    assertThat(arriving.size()).isEqualTo(1);
  }

  @Test
  void aHungBackendGivesTheCallerATypedErrorWithinTheDeadline() throws Exception {
    fixture(Map.of("callTimeout", "200ms"));
    FaultInjectingKeystore hung = hang(new InMemoryKeystore("vault", 10));
    fx.register("vault", 0, hung);
    long start = System.nanoTime();
    assertThatThrownBy(() -> fx.manager.route(l2("a")).retrieve(KeyRef.of("a", 1)))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("'vault'")
        .hasMessageContaining("200 ms");
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(took)
        .isGreaterThanOrEqualTo(Duration.ofMillis(200))
        .isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void aHungBackendTiesUpOnlyItsOwnBoundedPoolAndOtherBackendsKeepServing() throws Exception {
    fixture(Map.of("callTimeout", "150ms", "maxConcurrentCalls", 2, "maxQueuedCalls", 0));
    Unresponsive hung = new Unresponsive(new InMemoryKeystore("vault", 10));
    unresponsive.add(hung);
    fx.register("vault", 0, hung.keystore);
    InMemoryKeystore healthy = new InMemoryKeystore("inmemory", 10);
    fx.register("inmemory", 0, healthy);
    Keystore vault = fx.manager.backend("vault");
    // two calls (one may be the first health check) take both workers and time out; they stay stuck
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> vault.retrieve(KeyRef.of("a", 1)))
          .isInstanceOf(BackendUnavailableException.class);
    }
    // both workers still hang: the next call is refused at once instead of waiting or adding a
    // thread
    long start = System.nanoTime();
    assertThatThrownBy(() -> vault.retrieve(KeyRef.of("a", 1)))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("calls in flight");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(150));
    assertThat(((GuardedKeystore) vault).guard().activeCalls()).isEqualTo(2);
    assertThat(hung.entered).hasValue(2);
    // the saturation shows in the pools view the metrics read
    assertThat(fx.manager.pools())
        .filteredOn(p -> p.backend().equals("vault"))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.inUse()).isEqualTo(2);
              assertThat(p.maxConcurrent()).isEqualTo(2);
              assertThat(p.queued()).isZero();
              assertThat(p.maxQueued()).isZero();
              assertThat(p.rejected()).isGreaterThanOrEqualTo(1);
              assertThat(p.inline()).isFalse();
            });
    KeyMetadata l4 = key("edge", KeyTier.L4, "node:n1");
    fx.manager.route(l4).store(l4, SEALED);
    assertThat(healthy.retrieve(l4.ref()).metadata()).isEqualTo(l4);
  }

  @Test
  void aWriteCompletedByAServiceThatLeftMidCallIsReconciledOnItsSuccessor() throws Exception {
    fixture(Map.of());
    InMemoryKeystore shared =
        new InMemoryKeystore("vault", 10); // one store behind both services, like OpenBao
    FaultInjectingKeystore leaving = new FaultInjectingKeystore(shared);
    @SuppressWarnings({"unchecked", "rawtypes"})
    Map<String, Object>[] props = new Map[1];
    Keystore successor = new FaultInjectingKeystore(shared);
    // the old service completes the write, then its bundle stops before it can answer
    leaving.plan(
        (n, op) -> {
          if (op == Operation.STORE) {
            fx.register("vault", 0, successor);
            fx.unregister(leaving, props[0]);
            return Fault.FAIL_AFTER;
          }
          return null;
        });
    props[0] = fx.register("vault", 5, leaving);
    assertThat(fx.manager.route(l2("a")).store(l2("a"), SEALED)).isEqualTo(1L);
    KeyRecord held = shared.retrieve(KeyRef.of("a", 1));
    assertThat(held.sealed()).containsExactly(SEALED);
    assertThat(shared.size()).isEqualTo(1);
  }

  @Test
  void aBackendRemovedFromConfigurationIsRefusedEvenThroughAGuardTheCallerKept() throws Exception {
    fixture(Map.of());
    fx.register("vault", 0, new InMemoryKeystore("vault", 10));
    Keystore kept = fx.manager.backend("vault");
    fx.routes(new String[] {"* -> inmemory"}, "inmemory");
    assertThatThrownBy(() -> kept.retrieve(KeyRef.of("a", 1)))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("no longer named");
  }

  @Test
  void runtimeExceptionsOfABackendBecomeTypedErrorsNamingIt() throws Exception {
    fixture(Map.of());
    Keystore base = new InMemoryKeystore("vault", 10);
    Keystore broken =
        (Keystore)
            java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {Keystore.class},
                (p, m, args) -> {
                  if (m.getName().equals("retrieve")) {
                    throw new IllegalStateException("driver said: token s.abc is bad");
                  }
                  return m.invoke(base, args);
                });
    fx.register("vault", 0, broken);
    assertThatThrownBy(() -> fx.manager.backend("vault").retrieve(KeyRef.of("a", 1)))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("'vault'")
        .hasMessageContaining("IllegalStateException")
        .hasMessageNotContaining("s.abc");
  }

  @Test
  void inlineBackendsRunOnTheCallersThreadOthersOnTheirOwnWorkers() throws Exception {
    fixture(Map.of("inlineBackends", new String[] {"inmemory"}));
    java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
    for (String name : new String[] {"inmemory", "vault"}) {
      InMemoryKeystore real = new InMemoryKeystore(name, 10);
      fx.register(
          name,
          0,
          (Keystore)
              java.lang.reflect.Proxy.newProxyInstance(
                  getClass().getClassLoader(),
                  new Class<?>[] {Keystore.class},
                  (p, m, args) -> {
                    if (m.getName().equals("retrieve")) {
                      threads.add(name + "=" + Thread.currentThread().getName());
                    }
                    return m.invoke(real, args);
                  }));
      real.store(l2("k"), SEALED);
      fx.manager.backend(name).retrieve(KeyRef.of("k", 1));
    }
    assertThat(threads)
        .hasSize(2)
        .contains("inmemory=" + Thread.currentThread().getName())
        .anyMatch(
            t ->
                t.startsWith(
                    "vault=keystore-vault-")); // a worker (the first may have served a health
    // check)
  }

  @Test
  void invalidSettingsAreRejectedAndThePreviousOnesStay() throws Exception {
    fixture(Map.of("callTimeout", "300ms"));
    fx.manager.configure(
        org.openkcm.keystore.core.internal.support.Annotations.of(
            PluginsConfig.class, Map.of("callTimeout", "later")));
    fx.register("vault", 0, hang(new InMemoryKeystore("vault", 10)));
    long start = System.nanoTime();
    assertThatThrownBy(() -> fx.manager.backend("vault").retrieve(KeyRef.of("a", 1)))
        .hasMessageContaining("300 ms");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
  }

  private FaultInjectingKeystore hang(Keystore k) {
    FaultInjectingKeystore f = new FaultInjectingKeystore(k).plan((n, op) -> Fault.HANG_BEFORE);
    hanging.add(f);
    return f;
  }

  static BackendHealth up() {
    return BackendHealth.up(Duration.ZERO);
  }

  static FaultPlan none() {
    return FaultPlan.none();
  }
}
