package org.openkcm.keystore.benchmarks;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.spec.SecretKeySpec;
import org.openkcm.keystore.api.KeyHandle;
import org.openkcm.keystore.core.internal.cache.CacheSettings;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyTier;

/**
 * Load-proof ratios to complement the JMH run. On a shared, oversubscribed machine the load changes
 * between two JMH forks and threads are descheduled mid-measurement, so here core and floor run
 * alternately in short slices, in the same JVM, many times over, and each slice is timed in the
 * <em>CPU time</em> of the measuring threads (time spent descheduled does not count). Each adjacent
 * pair of slices gives one ratio; the median is reported with its quartiles. CPU time leaves out GC
 * and JIT threads, so it understates allocation-heavy paths a little; JMH's wall-clock figures
 * include them.
 */
public final class PairedMain {
  private static final long SLICE_NANOS = 20_000_000L;
  private static final java.lang.management.ThreadMXBean CPU =
      java.lang.management.ManagementFactory.getThreadMXBean();
  private static final int SLICES = 30;
  private static final long WARMUP_NANOS = 3_000_000_000L;

  /** One operation of a pair, run by the given thread index. */
  @FunctionalInterface
  interface Op {
    long run(int thread) throws Exception;
  }

  private PairedMain() {}

  public static void main(String[] args) throws Exception {
    System.out.println(
        "| comparison (paired CPU-time slices) | threads | median ratio core/floor | quartiles | target |");
    System.out.println("| --- | --- | --- | --- | --- |");
    for (int threads : new int[] {1, 2}) {
      cached(threads);
      create(threads);
      uncached(threads);
    }
    encrypt(1);
  }

  private static void encrypt(int threads) throws Exception {
    try (BenchCore core = new BenchCore(CacheSettings.defaults())) {
      KeyMetadata key = core.service.create(core.l4Request);
      byte[] material;
      try (KeyHandle h = core.service.open(key.ref())) {
        material = h.copyMaterial();
      }
      SecretKeySpec same = new SecretKeySpec(material, "AES");
      Arrays.fill(material, (byte) 0);
      byte[] plaintext = new byte[1024];
      byte[] aad = new byte[16];
      report(
          "encrypt 1 KiB with a cached L4 vs bare JDK AES-GCM, same key",
          "encrypt_1k_vs_aesgcm",
          1.3,
          threads,
          t -> core.service.encrypt(key.id(), plaintext, aad).length,
          t -> CryptoFloor.encrypt(same, plaintext, aad).length);
      byte[] coreCiphertext = core.service.encrypt(key.id(), plaintext, aad);
      byte[] floorCiphertext = CryptoFloor.encrypt(same, plaintext, aad);
      report(
          "decrypt 1 KiB with a cached L4 vs bare JDK AES-GCM, same key",
          "decrypt_1k_vs_aesgcm",
          1.3,
          threads,
          t -> core.service.decrypt(key.id(), coreCiphertext, aad).length,
          t -> CryptoFloor.decrypt(same, floorCiphertext, aad).length);
    }
  }

  private static void cached(int threads) throws Exception {
    try (BenchCore core = new BenchCore(CacheSettings.defaults())) {
      KeyRef[] refs = keys(core, 1 << 14);
      var bare =
          com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
              .maximumSize(100_000)
              .<KeyRef, byte[]>build();
      for (KeyRef r : refs) {
        try (KeyHandle h = core.service.open(r)) {
          bare.put(r, h.copyMaterial());
        }
      }
      int[] cursor = new int[threads];
      report(
          "cached L4 retrieve vs bare Caffeine get+copy",
          "cached_open_vs_caffeine",
          threads == 1 ? 1.5 : 2.0,
          threads,
          t -> {
            try (KeyHandle h = core.service.open(refs[next(cursor, t, refs.length)])) {
              return h.metadata().version();
            }
          },
          t -> bare.getIfPresent(refs[next(cursor, t, refs.length)]).clone().length);
    }
  }

  private static void create(int threads) throws Exception {
    try (BenchCore core = new BenchCore(CacheSettings.defaults())) {
      SecretKeySpec parent = new SecretKeySpec(core.l3Material(), "AES");
      ConcurrentHashMap<String, byte[]> floorStore = new ConcurrentHashMap<>();
      report(
          "L4 create vs crypto floor",
          "create_l4_vs_floor",
          2.0,
          threads,
          t -> core.service.create(core.l4Request).version(),
          t -> {
            byte[] id = new byte[16];
            byte[] sealed = CryptoFloor.seal(parent, id);
            floorStore.put(HexFormat.of().formatHex(id), sealed);
            return sealed.length;
          });
    }
  }

  private static void uncached(int threads) throws Exception {
    try (BenchCore core =
        new BenchCore(
            CacheSettings.defaults().with(KeyTier.L4, CacheSettings.policy(0, 1, 1, false)))) {
      KeyRef[] refs = keys(core, 1 << 14);
      SecretKeySpec parent = new SecretKeySpec(core.l3Material(), "AES");
      ConcurrentHashMap<KeyRef, byte[]> floorStore = new ConcurrentHashMap<>();
      for (KeyRef r : refs) {
        floorStore.put(r, CryptoFloor.seal(parent, new byte[16]));
      }
      int[] cursor = new int[threads];
      report(
          "uncached L4 open vs crypto floor",
          "uncached_open_vs_floor",
          2.0,
          threads,
          t -> {
            try (KeyHandle h = core.service.open(refs[next(cursor, t, refs.length)])) {
              return h.metadata().version();
            }
          },
          t -> CryptoFloor.open(parent, floorStore.get(refs[next(cursor, t, refs.length)])).length);
    }
  }

  private static KeyRef[] keys(BenchCore core, int n) throws Exception {
    KeyRef[] refs = new KeyRef[n];
    for (int i = 0; i < n; i++) {
      refs[i] = core.service.create(core.l4Request).ref();
    }
    return refs;
  }

  private static int next(int[] cursor, int t, int n) {
    cursor[t] = (cursor[t] + 7919) & (n - 1);
    return cursor[t];
  }

  private static void report(
      String name, String result, double target, int threads, Op core, Op floor) throws Exception {
    run(threads, core, floor, WARMUP_NANOS / (2 * SLICE_NANOS), null);
    double[] ratios = new double[SLICES];
    run(threads, core, floor, SLICES, ratios);
    Arrays.sort(ratios);
    double median = ratios[SLICES / 2];
    System.out.printf(
        "| %s | %d | %.2fx | %.2f-%.2f | <= %.1fx %s |%n",
        name,
        threads,
        median,
        ratios[SLICES / 4],
        ratios[3 * SLICES / 4],
        target,
        median <= target ? "met" : "MISSED");
    System.out.printf("RESULT %s_%d %.3f%n", result, threads, median);
  }

  /**
   * Runs {@code pairs} alternating slices on {@code threads} threads in lockstep; fills floor/core
   * op-rate ratios.
   */
  private static void run(int threads, Op core, Op floor, long pairs, double[] ratios)
      throws Exception {
    CyclicBarrier barrier = new CyclicBarrier(threads);
    AtomicLong coreOps = new AtomicLong();
    AtomicLong floorOps = new AtomicLong();
    AtomicLong coreCpu = new AtomicLong();
    AtomicLong floorCpu = new AtomicLong();
    AtomicLong sink = new AtomicLong();
    Thread[] workers = new Thread[threads];
    Exception[] failure = new Exception[1];
    for (int t = 0; t < threads; t++) {
      int me = t;
      workers[t] =
          new Thread(
              () -> {
                try {
                  long local = 0;
                  for (int p = 0; p < pairs; p++) {
                    barrier.await();
                    long[] c = slice(core, me);
                    coreOps.addAndGet(c[0]);
                    coreCpu.addAndGet(c[1]);
                    barrier.await();
                    long[] f = slice(floor, me);
                    floorOps.addAndGet(f[0]);
                    floorCpu.addAndGet(f[1]);
                    barrier.await();
                    if (me == 0 && ratios != null) {
                      double floorRate =
                          (double) floorOps.getAndSet(0) / Math.max(1, floorCpu.getAndSet(0));
                      double coreRate =
                          (double) coreOps.getAndSet(0) / Math.max(1, coreCpu.getAndSet(0));
                      ratios[p] = floorRate / coreRate;
                    } else if (me == 0) {
                      coreOps.set(0);
                      floorOps.set(0);
                      coreCpu.set(0);
                      floorCpu.set(0);
                    }
                    barrier.await();
                    local++;
                  }
                  sink.addAndGet(local);
                } catch (Exception e) {
                  failure[0] = e;
                  barrier.reset();
                }
              });
      workers[t].start();
    }
    for (Thread w : workers) {
      w.join();
    }
    if (failure[0] != null) {
      throw failure[0];
    }
  }

  /**
   * @return operations done and this thread's CPU nanoseconds spent, over one slice of CPU time
   */
  private static long[] slice(Op op, int thread) throws Exception {
    long start = CPU.getCurrentThreadCpuTime();
    long end = start + SLICE_NANOS;
    long now = start;
    long n = 0;
    long acc = 0;
    while (now < end) {
      for (int i = 0; i < 64; i++) { // the CPU clock costs ~1 µs: read it once per 64 operations
        acc += op.run(thread);
      }
      n += 64;
      now = CPU.getCurrentThreadCpuTime();
    }
    if (acc == 42) {
      System.out.print(""); // keeps the results observable, so the JIT cannot drop the work
    }
    return new long[] {n, now - start};
  }
}
