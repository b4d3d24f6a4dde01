package org.openkcm.keystore.openbao.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.openkcm.keystore.openbao.internal.Fixtures.sealed;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.openbao.testing.OpenBaoServer;
import org.openkcm.keystore.openbao.testing.RaftCluster;
import org.openkcm.keystore.spi.BackendHealth;
import org.openkcm.keystore.spi.BackendState;

/**
 * The backend against a real 3-node OpenBao Raft cluster (one cluster for the class): it follows
 * the active node whatever order the nodes are given in, skips a dead address, names the serving
 * node in its health, and survives SIGKILL of the active node under load with only typed retryable
 * errors, service back within 30 s, no acknowledged write lost, nothing half-written, and the
 * killed node rejoining.
 */
class RaftFailoverTest {
  private static RaftCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = RaftCluster.start(3);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static OpenBaoKeystore keystore(String addresses, String prefix) {
    return new OpenBaoKeystore(
        BaoSettings.builder()
            .address(addresses)
            .token(cluster.rootToken())
            .mount("secret")
            .timeouts(1000, 3000)
            .build(),
        prefix,
        65536);
  }

  /** The nodes listed with a standby first: the health probe finds the active node. */
  private static String standbyFirst() {
    int active = cluster.awaitActive(Duration.ofSeconds(30));
    List<String> order = new ArrayList<>();
    for (int i = 0; i < cluster.size(); i++) {
      if (i != active) {
        order.add(cluster.address(i));
      }
    }
    order.add(cluster.address(active));
    return String.join(",", order);
  }

  @Test
  void healthNamesTheActiveNodeAndRequestsGoThere() throws Exception {
    OpenBaoKeystore ks = keystore(standbyFirst(), "follow");
    try {
      int active = cluster.activeNode();
      BackendHealth h = ks.health();
      assertThat(h.state()).isEqualTo(BackendState.UP);
      assertThat(h.detail()).startsWith("serving node " + cluster.address(active));
      assertThat(h.detail()).contains("standby");
      KeyMetadata m = Fixtures.l2("followed", "acme");
      byte[] bytes = sealed(64);
      ks.store(m, bytes);
      assertThat(ks.retrieve(m.ref()).sealed()).isEqualTo(bytes);
      assertThat(ks.connection().http().nodes().node(ks.connection().http().nodes().preferred()))
          .hasToString(cluster.address(active));
    } finally {
      ks.deactivate();
    }
  }

  @Test
  void aDeadAddressFirstInTheListIsSkippedWithinTheCall() throws Exception {
    String dead = "http://127.0.0.1:" + OpenBaoServer.freeLoopbackPort();
    OpenBaoKeystore ks = keystore(dead + "," + cluster.addresses(), "skip");
    try {
      KeyMetadata m = Fixtures.l2("skipped", "acme");
      byte[] bytes = sealed(48);
      ks.store(m, bytes);
      assertThat(ks.retrieve(m.ref()).sealed()).isEqualTo(bytes);
      BackendHealth h = ks.health();
      assertThat(h.state()).isEqualTo(BackendState.UP);
      assertThat(h.detail()).contains(dead + " connection refused");
    } finally {
      ks.deactivate();
    }
  }

  @Test
  void killingTheActiveNodeUnderLoadLosesNothingAndTheNodeRejoins() throws Exception {
    OpenBaoKeystore ks = keystore(cluster.addresses(), "failover");
    int threads = 8;
    Map<KeyRef, byte[]> acknowledged = new ConcurrentHashMap<>();
    Set<KeyRef> uncertain = ConcurrentHashMap.newKeySet();
    ConcurrentLinkedQueue<Throwable> untyped = new ConcurrentLinkedQueue<>();
    AtomicInteger typedFailures = new AtomicInteger();
    AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
    AtomicLong firstSuccessAfterKill = new AtomicLong(Long.MAX_VALUE);
    AtomicInteger successesAfterKill = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> workers = new ArrayList<>();
    int killedNode = -1;
    try {
      for (int t = 0; t < threads; t++) {
        Owner owner = Owner.tenant("load-" + t);
        workers.add(
            pool.submit(
                () -> {
                  int n = 0;
                  while (!stop.get()) {
                    long began = System.nanoTime();
                    KeyMetadata m;
                    try {
                      m =
                          Fixtures.meta(
                              owner.id() + "-k" + n++,
                              1,
                              org.openkcm.keystore.model.KeyTier.L2,
                              owner);
                    } catch (KeystoreException e) {
                      untyped.add(e);
                      return;
                    }
                    byte[] bytes = sealed(64);
                    try {
                      ks.store(m, bytes);
                      acknowledged.put(m.ref(), bytes);
                      if (began > killedAt.get()) {
                        firstSuccessAfterKill.accumulateAndGet(System.nanoTime(), Math::min);
                        successesAfterKill.incrementAndGet();
                      }
                    } catch (BackendUnavailableException e) {
                      typedFailures.incrementAndGet();
                      if (!e.certainlyNotSent()) {
                        uncertain.add(m.ref());
                      }
                    } catch (KeystoreException e) {
                      if (e.isTransient()) {
                        typedFailures.incrementAndGet();
                        uncertain.add(m.ref());
                      } else {
                        untyped.add(e);
                      }
                    } catch (RuntimeException e) {
                      untyped.add(e);
                    }
                  }
                }));
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() >= 100);
      killedNode = cluster.awaitActive(Duration.ofSeconds(10));
      killedAt.set(System.nanoTime());
      cluster.kill(killedNode);
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> successesAfterKill.get() >= 50);
      stop.set(true);
      for (Future<?> w : workers) {
        w.get(30, TimeUnit.SECONDS);
      }
      double failoverSeconds = (firstSuccessAfterKill.get() - killedAt.get()) / 1e9;
      System.out.printf(
          "raft failover: node %d killed, first write that began after the kill succeeded %.2f s"
              + " later; %d acknowledged, %d typed failures, %d uncertain%n",
          killedNode, failoverSeconds, acknowledged.size(), typedFailures.get(), uncertain.size());

      assertThat(untyped).as("failures that were not typed and retryable").isEmpty();
      assertThat(failoverSeconds).isLessThan(30);

      // every acknowledged write is there, byte for byte
      for (Map.Entry<KeyRef, byte[]> e : acknowledged.entrySet()) {
        assertThat(ks.retrieve(e.getKey()).sealed())
            .as(e.getKey().toString())
            .isEqualTo(e.getValue());
      }
      // no orphans: what the listings show is exactly what was acknowledged plus writes whose
      // outcome the caller was told was unknown, and each of those is whole
      Set<KeyRef> listed = new HashSet<>();
      for (int t = 0; t < threads; t++) {
        listed.addAll(listAll(ks, Owner.tenant("load-" + t)));
      }
      assertThat(listed).containsAll(acknowledged.keySet());
      Set<KeyRef> extra = new HashSet<>(listed);
      extra.removeAll(acknowledged.keySet());
      assertThat(uncertain).containsAll(extra);
      for (KeyRef ref : extra) {
        assertThat(ks.retrieve(ref).sealed()).hasSize(64);
      }

      // the killed node comes back, is unsealed and rejoins as a voter that has caught up
      cluster.restart(killedNode);
      cluster.awaitVoters(3);
      long committed = cluster.committedIndex();
      int rejoined = killedNode;
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> cluster.health(rejoined) == 429 || cluster.health(rejoined) == 200);
      OpenBaoKeystore viaRejoined = keystore(cluster.address(rejoined), "failover");
      try {
        KeyRef any = acknowledged.keySet().iterator().next();
        assertThat(viaRejoined.retrieve(any).sealed()).isEqualTo(acknowledged.get(any));
      } finally {
        viaRejoined.deactivate();
      }
      assertThat(committed).isPositive();
    } finally {
      stop.set(true);
      pool.shutdownNow();
      ks.deactivate();
      if (killedNode >= 0 && !cluster.isRunning(killedNode)) {
        cluster.restart(killedNode);
      }
    }
  }

  private static Set<KeyRef> listAll(OpenBaoKeystore ks, Owner owner) throws KeystoreException {
    Set<KeyRef> out = new HashSet<>();
    KeyFilter f = KeyFilter.builder().owner(owner).build().withPageSize(1000);
    while (true) {
      Page<KeyMetadata> page = ks.list(f);
      page.items().forEach(m -> out.add(m.ref()));
      if (page.nextCursor().isEmpty()) {
        return out;
      }
      f = f.withCursor(page.nextCursor().get());
    }
  }
}
