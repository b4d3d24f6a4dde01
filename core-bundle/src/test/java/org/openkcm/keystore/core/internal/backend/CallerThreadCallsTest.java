package org.openkcm.keystore.core.internal.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.openkcm.keystore.core.internal.support.Keys.l2;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.inmemory.internal.InMemoryKeystore;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.spi.Keystore;
import org.openkcm.keystore.testkit.FaultInjectingKeystore;
import org.openkcm.keystore.testkit.FaultInjectingKeystore.Fault;

/**
 * A backend declaring {@code keystore.interruptible=true} is called on the caller's own thread,
 * with the guarantees of the worker pool kept: the deadline (the caller is interrupted, and its
 * thread is left without a stray interrupt), the concurrency limit and queue, the typed errors.
 */
class CallerThreadCallsTest {
  private static final Map<String, Object> INTERRUPTIBLE =
      Map.of(BackendServices.INTERRUPTIBLE_PROPERTY, Boolean.TRUE);

  private Fixture fx;
  private final List<Runnable> cleanup = new ArrayList<>();

  @AfterEach
  void tearDown() {
    cleanup.forEach(Runnable::run);
    if (fx != null) {
      fx.close();
    }
  }

  private Fixture fixture(Map<String, Object> settings) throws Exception {
    fx =
        new Fixture(
            new String[] {"tier=L2,L3 -> vault", "tier=L4 -> inmemory"}, "inmemory", settings);
    return fx;
  }

  /** What a test backend does on each retrieve before the real one answers. */
  @FunctionalInterface
  private interface BeforeRetrieve {
    void run() throws Exception;
  }

  /** {@code real}, with {@code before} run on the calling thread at each retrieve. */
  private static Keystore aroundRetrieve(Keystore real, BeforeRetrieve before) {
    return (Keystore)
        Proxy.newProxyInstance(
            CallerThreadCallsTest.class.getClassLoader(),
            new Class<?>[] {Keystore.class},
            (p, m, args) -> {
              if (m.getName().equals("retrieve")) {
                before.run();
              }
              try {
                return m.invoke(real, args);
              } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  /** A backend that notes the thread of each retrieve, then hands it on. */
  private static Keystore recording(Keystore real, AtomicReference<Thread> seen) {
    return aroundRetrieve(real, () -> seen.set(Thread.currentThread()));
  }

  @Test
  void anInterruptibleBackendIsCalledOnTheCallersThreadAndAWorkerBackendOnAWorker()
      throws Exception {
    fixture(Map.of());
    InMemoryKeystore store = new InMemoryKeystore("vault", 10);
    store.store(l2("a"), new byte[] {1, 2, 3});
    AtomicReference<Thread> seen = new AtomicReference<>();
    fx.register("vault", 0, recording(store, seen), INTERRUPTIBLE);
    assertThat(fx.manager.route(l2("a")).retrieve(KeyRef.of("a", 1)).sealed())
        .containsExactly(1, 2, 3);
    assertThat(seen.get()).isSameAs(Thread.currentThread());

    // the operator's override sends it back to the workers
    fx.close();
    fixture(Map.of("workerBackends", new String[] {"vault"}));
    fx.register("vault", 0, recording(store, seen), INTERRUPTIBLE);
    fx.manager.route(l2("a")).retrieve(KeyRef.of("a", 1));
    assertThat(seen.get()).isNotSameAs(Thread.currentThread());
    assertThat(seen.get().getName()).startsWith("keystore-vault-");
  }

  @Test
  void aHungInterruptibleBackendGivesTheCallerTheDeadlineErrorAndLeavesNoInterrupt()
      throws Exception {
    fixture(Map.of("callTimeout", "200ms"));
    FaultInjectingKeystore hung =
        new FaultInjectingKeystore(new InMemoryKeystore("vault", 10))
            .plan((n, op) -> Fault.HANG_BEFORE);
    cleanup.add(hung::releaseHangs);
    fx.register("vault", 0, hung, INTERRUPTIBLE);
    long start = System.nanoTime();
    assertThatThrownBy(() -> fx.manager.route(l2("a")).retrieve(KeyRef.of("a", 1)))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("'vault'")
        .hasMessageContaining("no answer within 200 ms");
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(took)
        .isGreaterThanOrEqualTo(Duration.ofMillis(200))
        .isLessThan(Duration.ofSeconds(2));
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
    // nothing stays inside the backend: the caller's thread came back out of it
    assertThat(((GuardedKeystore) fx.manager.backend("vault")).guard().activeCalls()).isZero();
  }

  @Test
  void callersBeyondTheLimitAndTheQueueAreRefusedAtOnce() throws Exception {
    fixture(Map.of("callTimeout", "10s", "maxConcurrentCalls", 2, "maxQueuedCalls", 1));
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger inside = new AtomicInteger();
    InMemoryKeystore real = new InMemoryKeystore("vault", 10);
    Keystore blocking =
        aroundRetrieve(
            real,
            () -> {
              inside.incrementAndGet();
              release.await(); // ends on an interrupt, as declared
            });
    cleanup.add(release::countDown);
    fx.register("vault", 0, blocking, INTERRUPTIBLE);
    Keystore vault = fx.manager.backend("vault");
    List<CompletableFuture<Object>> calls = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      calls.add(
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return vault.retrieve(KeyRef.of("a", 1));
                } catch (KeystoreException e) {
                  return e;
                }
              }));
    }
    // two inside the backend, one waiting for them
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> inside.get() == 2);
    GuardedKeystore guarded = (GuardedKeystore) vault;
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                fx.manager.pools().stream()
                    .anyMatch(p -> p.backend().equals("vault") && p.queued() == 1));
    long start = System.nanoTime();
    assertThatThrownBy(() -> vault.retrieve(KeyRef.of("a", 1)))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("2 calls in flight and 1 queued");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    assertThat(guarded.guard().activeCalls()).isEqualTo(2);
    assertThat(fx.manager.pools())
        .filteredOn(p -> p.backend().equals("vault"))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.inUse()).isEqualTo(2);
              assertThat(p.rejected()).isEqualTo(1);
              assertThat(p.inline()).isFalse();
            });
    release.countDown();
    // the waiting one gets its turn once the others are out; each sees the backend's answer
    for (CompletableFuture<Object> c : calls) {
      assertThat(c.get(10, TimeUnit.SECONDS))
          .isInstanceOf(org.openkcm.keystore.model.KeyNotFoundException.class);
    }
    assertThat(inside.get()).isEqualTo(3);
    assertThat(guarded.guard().activeCalls()).isZero();
  }

  @Test
  void callsEndingRightAtTheirDeadlineNeverLeaveAStrayInterrupt() throws Exception {
    fixture(Map.of("callTimeout", "2ms", "breakerFailures", 0));
    InMemoryKeystore real = new InMemoryKeystore("vault", 10);
    real.store(l2("a"), new byte[] {7});
    AtomicInteger n = new AtomicInteger();
    Keystore racing =
        aroundRetrieve(
            real,
            // finishes around the deadline: sometimes before, sometimes after the watchdog
            () -> LockSupport.parkNanos(1_000_000L + (n.incrementAndGet() % 5) * 400_000L));
    fx.register("vault", 0, racing, INTERRUPTIBLE);
    Keystore vault = fx.manager.backend("vault");
    int answered = 0;
    int timedOut = 0;
    for (int i = 0; i < 300; i++) {
      try {
        vault.retrieve(KeyRef.of("a", 1));
        answered++;
      } catch (BackendUnavailableException e) {
        assertThat(e).hasMessageContaining("no answer within 2 ms");
        timedOut++;
      }
      assertThat(Thread.currentThread().isInterrupted()).as("after call %d", i).isFalse();
    }
    assertThat(answered + timedOut).isEqualTo(300);
    assertThat(answered).isPositive();
  }
}
