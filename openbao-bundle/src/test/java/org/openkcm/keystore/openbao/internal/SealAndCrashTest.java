package org.openkcm.keystore.openbao.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.openkcm.keystore.openbao.internal.Fixtures.l2;
import static org.openkcm.keystore.openbao.internal.Fixtures.sealed;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.model.BackendSealedException;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.openbao.testing.OpenBaoServer;
import org.openkcm.keystore.spi.BackendState;

/** Faults of a real Raft-backed bao: sealed under load, then unsealed; killed, then restarted. */
class SealAndCrashTest {
  /** connect 1 s + read 3 s per request: a call must end well within this. */
  private static final long CALL_DEADLINE_MILLIS = 4500;

  private OpenBaoServer bao;
  private OpenBaoKeystore ks;

  @BeforeEach
  void start() {
    bao = OpenBaoServer.startPersistent();
    ks = Fixtures.keystore(bao, "faults");
  }

  @AfterEach
  void stop() {
    if (ks != null) {
      ks.deactivate();
    }
    if (bao != null) {
      bao.close();
    }
  }

  @Test
  void sealingUnderLoadGivesSealedQuicklyAndUnsealingResumesWithoutHelp() throws Exception {
    KeyMetadata hot = l2("hot", "acme");
    ks.store(hot, sealed(32));
    try (Clients clients = new Clients(ks, hot.ref(), 4)) {
      await().atMost(Duration.ofSeconds(20)).until(() -> clients.successes.get() > 20);

      bao.seal();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> ks.health().state() == BackendState.SEALED);
      int sealedBefore = clients.sealedSeen.get();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> clients.sealedSeen.get() > sealedBefore + 8);
      assertThatThrownBy(() -> ks.retrieve(hot.ref()))
          .isInstanceOf(BackendSealedException.class)
          .hasMessageContaining("sealed")
          .satisfies(e -> assertThat(((KeystoreException) e).isTransient()).isTrue());

      bao.unseal();
      await().atMost(Duration.ofSeconds(30)).until(() -> ks.health().state() == BackendState.UP);
      int successesAfterUnseal = clients.successes.get();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> clients.successes.get() > successesAfterUnseal + 20);

      clients.stopAndJoin(CALL_DEADLINE_MILLIS * 2);
      assertThat(clients.unexpected).isEmpty();
      assertThat(clients.slowest.get()).as("no call hung").isLessThan(CALL_DEADLINE_MILLIS);
      for (Map.Entry<KeyRef, byte[]> e : clients.acknowledged.entrySet()) {
        assertThat(ks.retrieve(e.getKey()).sealed()).isEqualTo(e.getValue());
      }
    }
  }

  @Test
  void killedServerIsUnavailableAndARestartKeepsEveryAcknowledgedKey() throws Exception {
    Map<KeyRef, byte[]> acknowledged = new java.util.TreeMap<>();
    for (int i = 0; i < 12; i++) {
      KeyMetadata m = l2(String.format("durable-%02d", i), i % 2 == 0 ? "acme" : "beta");
      byte[] s = sealed(48);
      ks.store(m, s);
      ks.updateMetadata(m.toBuilder().tag("touched", "yes").build(), 1);
      acknowledged.put(m.ref(), s);
    }

    bao.kill();
    assertThat(ks.health().state()).isEqualTo(BackendState.UNAVAILABLE);
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> ks.retrieve(KeyRef.of("durable-00", 1)))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("connection refused");
    assertThatThrownBy(() -> ks.store(l2("never", "acme"), sealed(8)))
        .isInstanceOf(BackendUnavailableException.class);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0))
        .isLessThan(CALL_DEADLINE_MILLIS);

    bao.restart();
    await().atMost(Duration.ofSeconds(10)).until(() -> ks.health().state() == BackendState.UP);
    for (Map.Entry<KeyRef, byte[]> e : acknowledged.entrySet()) {
      var r = ks.retrieve(e.getKey());
      assertThat(r.sealed()).isEqualTo(e.getValue());
      assertThat(r.revision()).isEqualTo(2);
      assertThat(r.metadata().tags()).containsEntry("touched", "yes");
    }
    assertThat(ks.list(KeyFilter.builder().owner(Owner.tenant("acme")).build()).items()).hasSize(6);
    assertThat(ks.list(KeyFilter.all()).items())
        .extracting(KeyMetadata::ref)
        .containsExactlyElementsOf(acknowledged.keySet());
  }

  /**
   * Client threads that store (every third call) and retrieve in a loop, counting what they saw.
   */
  private static final class Clients implements AutoCloseable {
    final Map<KeyRef, byte[]> acknowledged = new ConcurrentHashMap<>();
    final AtomicInteger sealedSeen = new AtomicInteger();
    final AtomicInteger successes = new AtomicInteger();
    final AtomicLong slowest = new AtomicLong();
    final List<Throwable> unexpected = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final ExecutorService pool;
    private final List<Future<?>> done = new ArrayList<>();

    Clients(OpenBaoKeystore ks, KeyRef hot, int n) {
      pool = Executors.newFixedThreadPool(n);
      for (int c = 0; c < n; c++) {
        int client = c;
        done.add(pool.submit(() -> loop(ks, hot, client)));
      }
    }

    private void loop(OpenBaoKeystore ks, KeyRef hot, int client) {
      for (int i = 0; running.get(); i++) {
        long t0 = System.nanoTime();
        try {
          if (i % 3 == 0) {
            KeyMetadata m = l2("c" + client + "-" + i, "acme");
            byte[] s = sealed(24);
            ks.store(m, s);
            acknowledged.put(m.ref(), s);
          } else {
            ks.retrieve(hot);
          }
          successes.incrementAndGet();
        } catch (BackendSealedException e) {
          sealedSeen.incrementAndGet();
        } catch (BackendUnavailableException e) {
          // a request caught mid-transition: typed and transient, allowed
        } catch (Throwable e) {
          unexpected.add(e);
        }
        slowest.accumulateAndGet(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), Math::max);
      }
    }

    void stopAndJoin(long millis) throws Exception {
      running.set(false);
      for (Future<?> f : done) {
        f.get(millis, TimeUnit.MILLISECONDS);
      }
    }

    @Override
    public void close() {
      running.set(false);
      pool.shutdownNow();
    }
  }
}
