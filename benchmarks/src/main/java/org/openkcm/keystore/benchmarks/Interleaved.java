package org.openkcm.keystore.benchmarks;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openkcm.keystore.api.KeyHandle;
import org.openkcm.keystore.core.internal.cache.CacheSettings;
import org.openkcm.keystore.model.KeyTier;

/**
 * (a) measured a second way: the bare client read and the core's uncached L3 open of the same key
 * alternate call by call (order swapped every round) in one thread, so load from other processes on
 * a shared machine hits both alike; medians are robust to the spikes that move JMH's means.
 */
final class Interleaved {
  /** Per-call latencies in µs: median, mean, p95 for the bare read and for the core. */
  record Result(
      long pairs,
      double bareMedian,
      double coreMedian,
      double bareMean,
      double coreMean,
      double bareP95,
      double coreP95) {}

  private Interleaved() {}

  static Result run(long warmupMillis, long measureMillis) throws Exception {
    CacheSettings l3Off =
        CacheSettings.defaults().with(KeyTier.L3, CacheSettings.policy(0, 1, 1, false));
    try (BaoEnv env = new BaoEnv(l3Off, OpenBaoRetrieveBenchmarks.KEYS);
        BareClient bare = new BareClient(BaoEnv.address(), BaoEnv.token())) {
      String[] paths = new String[env.l3s.length];
      for (int i = 0; i < paths.length; i++) {
        paths[i] = env.driverPath(env.l3s[i]);
      }
      pairs(env, bare, paths, warmupMillis, new long[1 << 16], new long[1 << 16]);
      long[] b = new long[1 << 18];
      long[] c = new long[1 << 18];
      int n = pairs(env, bare, paths, measureMillis, b, c);
      long[] bs = Arrays.copyOf(b, n);
      long[] cs = Arrays.copyOf(c, n);
      Arrays.sort(bs);
      Arrays.sort(cs);
      return new Result(
          n,
          bs[n / 2] / 1e3,
          cs[n / 2] / 1e3,
          Arrays.stream(bs).average().orElse(0) / 1e3,
          Arrays.stream(cs).average().orElse(0) / 1e3,
          bs[(int) (n * 0.95)] / 1e3,
          cs[(int) (n * 0.95)] / 1e3);
    }
  }

  private static int pairs(
      BaoEnv env, BareClient bare, String[] paths, long millis, long[] b, long[] c)
      throws Exception {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    int n = 0;
    while (System.nanoTime() < end && n < b.length) {
      int k = n % paths.length;
      if ((n & 1) == 0) {
        b[n] = timeBare(bare, paths[k]);
        c[n] = timeCore(env, k);
      } else {
        c[n] = timeCore(env, k);
        b[n] = timeBare(bare, paths[k]);
      }
      n++;
    }
    return n;
  }

  private static long timeBare(BareClient bare, String path) throws Exception {
    long t0 = System.nanoTime();
    bare.read(path);
    return System.nanoTime() - t0;
  }

  private static long timeCore(BaoEnv env, int k) throws Exception {
    long t0 = System.nanoTime();
    try (KeyHandle h = env.service.open(env.l3s[k])) {
      h.metadata();
    }
    return System.nanoTime() - t0;
  }
}
