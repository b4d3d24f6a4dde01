package org.openkcm.keystore.benchmarks;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.openkcm.keystore.api.CreateKeyRequest;
import org.openkcm.keystore.api.KeyHandle;
import org.openkcm.keystore.core.internal.backend.BackendDirectory;
import org.openkcm.keystore.core.internal.cache.CacheSettings;
import org.openkcm.keystore.core.internal.cache.KeyCache;
import org.openkcm.keystore.core.internal.crypto.LocalRootKeyProvider;
import org.openkcm.keystore.core.internal.crypto.ThreadCrypto;
import org.openkcm.keystore.core.internal.keys.CryptoKeyService;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.openbao.internal.BenchOpenBao;
import org.openkcm.keystore.openbao.testing.RaftCluster;
import org.openkcm.keystore.spi.Keystore;

/**
 * Several runtimes on one OpenBao HA cluster (docs/deployment.md): a 3-node Raft cluster on
 * loopback, two cores (each its own OpenBao client and cache, the nodes given comma-separated),
 * default revocation bound (5 s). Prints: retrieve throughput at 8 callers on one core (the
 * baseline, same run) and on two together in this JVM (the two-runtime figure over processes is
 * {@link HaGrpcBenchMain}'s), the backend requests per second per runtime that the revalidation
 * costs, when runtime B first refuses a key compromised on A (50 keys), and the time from SIGKILL
 * of the active OpenBao node under create load from both runtimes to the first acknowledged write
 * (worst of the runs). Arguments: --phase-ms N, --trials N, --failover-runs N.
 */
public final class HaBenchMain {
  private HaBenchMain() {}

  public static void main(String[] args) throws Exception {
    long phaseMillis = arg(args, "--phase-ms", 10_000);
    int trials = (int) arg(args, "--trials", 50);
    int failoverRuns = (int) arg(args, "--failover-runs", 2);
    try (RaftCluster cluster = RaftCluster.start(3)) {
      String master = Base64.getEncoder().encodeToString(ThreadCrypto.randomBytes(32));
      String prefix = "ha-bench-" + System.nanoTime();
      try (Node a = new Node(cluster, master, prefix);
          Node b = new Node(cluster, master, prefix)) {
        retrieve(a, b, phaseMillis);
        revocation(a, b, trials);
        double worst = 0;
        for (int run = 0; run < failoverRuns; run++) {
          worst = Math.max(worst, failover(cluster, a, b));
        }
        System.out.printf(Locale.ROOT, "RESULT ha_failover_seconds %.2f%n", worst);
      }
    }
  }

  private static long arg(String[] args, String name, long fallback) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return Long.parseLong(args[i + 1]);
      }
    }
    return fallback;
  }

  /** One runtime: a core over its own OpenBao client, all tiers on OpenBao. */
  private static final class Node implements AutoCloseable {
    final Keystore openbao;
    final LocalRootKeyProvider root;
    final CryptoKeyService core;

    Node(RaftCluster cluster, String master, String prefix) {
      openbao = BenchOpenBao.keystore(cluster.addresses(), cluster.rootToken(), prefix);
      root = new LocalRootKeyProvider(Path.of("unused.key"), n -> master);
      core =
          new CryptoKeyService(
              new OneBackend(openbao), root, new KeyCache(CacheSettings.defaults()));
    }

    long requests() {
      return BenchOpenBao.requests(openbao);
    }

    @Override
    public void close() {
      core.close();
      root.close();
      BenchOpenBao.close(openbao);
    }
  }

  private static List<KeyMetadata> serviceKeys(Node n, int count) throws KeystoreException {
    KeyMetadata l2 =
        n.core.create(CreateKeyRequest.builder(KeyTier.L2, Owner.tenant("bench")).build());
    List<KeyMetadata> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(
          n.core.create(
              CreateKeyRequest.builder(KeyTier.L3, Owner.service("bench"))
                  .parentId(l2.id())
                  .build()));
    }
    return out;
  }

  private static void retrieve(Node a, Node b, long phaseMillis) throws Exception {
    List<KeyMetadata> keys = serviceKeys(a, 32);
    double one = opens(List.of(a), keys, phaseMillis);
    long[] before = {a.requests(), b.requests()};
    double two = opens(List.of(a, b), keys, phaseMillis);
    double perNode =
        ((a.requests() - before[0]) + (b.requests() - before[1])) / 2.0 / (phaseMillis / 1000.0);
    System.out.printf(
        Locale.ROOT,
        "retrieve (open of 32 hot L3 keys, 8 callers per runtime, %d ms): one runtime %.0f ops/s,"
            + " two runtimes together %.0f ops/s; revalidation cost %.1f OpenBao requests/s per"
            + " runtime%n",
        phaseMillis,
        one,
        two,
        perNode);
    System.out.printf(Locale.ROOT, "RESULT ha_retrieve_in_jvm_ops_8_one_core %.0f%n", one);
    System.out.printf(Locale.ROOT, "RESULT ha_retrieve_in_jvm_ops_8_two_cores %.0f%n", two);
    System.out.printf(
        Locale.ROOT, "RESULT ha_revalidation_requests_per_s_per_node %.1f%n", perNode);
  }

  /**
   * @return opens per second over all nodes, 8 callers each
   */
  private static double opens(List<Node> nodes, List<KeyMetadata> keys, long millis)
      throws Exception {
    for (Node n : nodes) {
      for (KeyMetadata k : keys) {
        n.core.open(k.ref()).close();
      }
    }
    LongAdder done = new LongAdder();
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> callers = new ArrayList<>();
    for (Node n : nodes) {
      for (int t = 0; t < 8; t++) {
        Thread th =
            new Thread(
                () -> {
                  while (!stop.get()) {
                    KeyMetadata k = keys.get(ThreadLocalRandom.current().nextInt(keys.size()));
                    try (KeyHandle h = n.core.open(k.ref())) {
                      done.increment();
                    } catch (KeystoreException e) {
                      throw new IllegalStateException("open failed: " + e.getMessage(), e);
                    }
                  }
                });
        th.start();
        callers.add(th);
      }
    }
    long start = System.nanoTime();
    LockSupport.parkNanos(Duration.ofMillis(millis).toNanos());
    stop.set(true);
    for (Thread th : callers) {
      th.join();
    }
    return done.sum() / ((System.nanoTime() - start) / 1e9);
  }

  private static void revocation(Node a, Node b, int trials) throws Exception {
    List<KeyMetadata> keys = serviceKeys(a, trials);
    ConcurrentHashMap<String, Long> refusedAt = new ConcurrentHashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> watchers = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int slice = t;
      Thread th =
          new Thread(
              () -> {
                while (!stop.get()) {
                  for (int i = slice; i < keys.size(); i += 4) {
                    String id = keys.get(i).id();
                    if (refusedAt.containsKey(id)) {
                      continue;
                    }
                    try {
                      b.core.encrypt(id, new byte[16], null);
                    } catch (InvalidKeyRequestException refused) {
                      refusedAt.putIfAbsent(id, System.nanoTime());
                    } catch (KeystoreException other) {
                      // transient: tried again next round
                    }
                  }
                  LockSupport.parkNanos(1_000_000);
                }
              });
      th.start();
      watchers.add(th);
    }
    LockSupport.parkNanos(Duration.ofSeconds(1).toNanos()); // every key cached on B
    List<Long> seen = new ArrayList<>();
    List<Long> changes = new ArrayList<>();
    for (KeyMetadata k : keys) {
      a.core.changeStatus(k.ref(), KeyStatus.COMPROMISED);
      changes.add(System.nanoTime());
      LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(50, 250) * 1_000_000);
    }
    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (refusedAt.size() < keys.size() && System.nanoTime() < end) {
      LockSupport.parkNanos(10_000_000);
    }
    stop.set(true);
    for (Thread th : watchers) {
      th.join();
    }
    for (int i = 0; i < keys.size(); i++) {
      Long r = refusedAt.get(keys.get(i).id());
      seen.add(r == null ? Long.MAX_VALUE : (r - changes.get(i)) / 1_000_000);
    }
    Collections.sort(seen);
    long p50 = seen.get(seen.size() / 2);
    long p99 = seen.get(Math.min(seen.size() - 1, (int) Math.ceil(seen.size() * 0.99) - 1));
    System.out.printf(
        Locale.ROOT,
        "revocation (COMPROMISED on A, first refusal of encrypt on B, bound %d ms, %d keys): min %d"
            + " p50 %d p99 %d max %d ms%n",
        CacheSettings.defaults().revalidateAfter().toMillis(),
        trials,
        seen.get(0),
        p50,
        p99,
        seen.get(seen.size() - 1));
    System.out.println("RESULT revocation_seen_p99_ms " + p99);
  }

  /**
   * @return seconds from the kill to the first acknowledged create begun after it (worst runtime)
   */
  private static double failover(RaftCluster cluster, Node a, Node b) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
    long[] firstSuccess = {Long.MAX_VALUE, Long.MAX_VALUE};
    LongAdder errors = new LongAdder();
    List<Thread> callers = new ArrayList<>();
    List<Node> nodes = List.of(a, b);
    for (int n = 0; n < 2; n++) {
      int node = n;
      for (int t = 0; t < 8; t++) {
        Thread th =
            new Thread(
                () -> {
                  while (!stop.get()) {
                    long began = System.nanoTime();
                    try {
                      nodes
                          .get(node)
                          .core
                          .create(
                              CreateKeyRequest.builder(KeyTier.L2, Owner.tenant("failover"))
                                  .build());
                      if (began > killedAt.get()) {
                        synchronized (firstSuccess) {
                          firstSuccess[node] = Math.min(firstSuccess[node], System.nanoTime());
                        }
                      }
                    } catch (KeystoreException e) {
                      errors.increment();
                    }
                  }
                });
        th.start();
        callers.add(th);
      }
    }
    LockSupport.parkNanos(Duration.ofSeconds(2).toNanos());
    int killed = cluster.awaitActive(Duration.ofSeconds(30));
    killedAt.set(System.nanoTime());
    cluster.kill(killed);
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < end) {
      synchronized (firstSuccess) {
        if (firstSuccess[0] != Long.MAX_VALUE && firstSuccess[1] != Long.MAX_VALUE) {
          break;
        }
      }
      LockSupport.parkNanos(20_000_000);
    }
    stop.set(true);
    for (Thread th : callers) {
      th.join();
    }
    double worst = (Math.max(firstSuccess[0], firstSuccess[1]) - killedAt.get()) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "failover: node %d killed under create load (8 callers on each of 2 runtimes): first"
            + " acknowledged create after %.2f s (worst runtime), %d typed errors meanwhile%n",
        killed,
        worst,
        errors.sum());
    cluster.restart(killed);
    cluster.awaitVoters(3);
    return worst;
  }

  /** Every tier on the one OpenBao backend. */
  private record OneBackend(Keystore k) implements BackendDirectory {
    @Override
    public Keystore route(KeyMetadata newKey) {
      return k;
    }

    @Override
    public List<Keystore> configured() {
      return List.of(k);
    }

    @Override
    public Keystore backend(String name) {
      return k;
    }

    @Override
    public Page<KeyMetadata> list(KeyFilter filter) throws KeystoreException {
      return k.list(filter);
    }
  }
}
