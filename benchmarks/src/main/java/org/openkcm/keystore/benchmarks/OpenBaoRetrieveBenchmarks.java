package org.openkcm.keystore.benchmarks;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openkcm.keystore.api.KeyHandle;
import org.openkcm.keystore.core.internal.cache.CacheSettings;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.spi.KeyRecord;

/**
 * Retrieving an L3 held by a real OpenBao: through the whole core ({@code KeyService.open} ->
 * placement -> plugin manager worker + deadline -> OpenBao backend -> one KV read -> decode ->
 * unwrap under the cached L2 -> handle -> close, which wipes it) with the L3 cache off, the same
 * with the cache on (hot keys), and with every cache off (the L2 is read and unwrapped by the root
 * key on each open too), against a bare java.net.http read of the same KV path. Run by {@link
 * BaoBenchMain}; the name does not end in "Bench" so that run.sh (no bao there) leaves it out.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class OpenBaoRetrieveBenchmarks {
  static final int KEYS = 128;

  /** Each thread walks the key set from its own random start. */
  @State(Scope.Thread)
  public static class Walk {
    private int i = ThreadLocalRandom.current().nextInt(KEYS);

    int next() {
      i = (i + 37) % KEYS;
      return i;
    }
  }

  /** L3 caching off in both layers; the L2 parent cached as in production. */
  @State(Scope.Benchmark)
  public static class L3Uncached extends EnvState {
    @Override
    CacheSettings cache() {
      return CacheSettings.defaults().with(KeyTier.L3, CacheSettings.policy(0, 1, 1, false));
    }
  }

  /** Defaults: every L3 cached after its create. */
  @State(Scope.Benchmark)
  public static class Cached extends EnvState {
    @Override
    CacheSettings cache() {
      return CacheSettings.defaults();
    }
  }

  /**
   * Every tier's cache off: each open reads the L3 and the L2 and unwraps the L2 with the root key.
   */
  @State(Scope.Benchmark)
  public static class NoCacheAtAll extends EnvState {
    @Override
    CacheSettings cache() {
      CacheSettings off = CacheSettings.defaults();
      for (KeyTier t : KeyTier.values()) {
        off = off.with(t, CacheSettings.policy(0, 1, 1, false));
      }
      return off;
    }
  }

  /**
   * As {@link L3Uncached}, but OpenBao called on the caller's thread: what the worker hand-off
   * costs.
   */
  @State(Scope.Benchmark)
  public static class L3UncachedInline extends EnvState {
    @Override
    CacheSettings cache() {
      return CacheSettings.defaults().with(KeyTier.L3, CacheSettings.policy(0, 1, 1, false));
    }

    @Override
    boolean inline() {
      return true;
    }
  }

  /** The keys of an uncached environment, read by the bare client at the paths the backend uses. */
  @State(Scope.Benchmark)
  public static class Bare {
    BaoEnv env;
    BareClient driver;
    String[] paths = new String[KEYS];

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      env = new BaoEnv(CacheSettings.defaults(), KEYS);
      for (int i = 0; i < KEYS; i++) {
        paths[i] = env.driverPath(env.l3s[i]);
      }
      driver = new BareClient(BaoEnv.address(), BaoEnv.token());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      driver.close();
      env.close();
    }
  }

  /** An environment per cache policy, set up once per trial. */
  public abstract static class EnvState {
    BaoEnv env;

    abstract CacheSettings cache();

    boolean inline() {
      return false;
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      env = new BaoEnv(cache(), KEYS, inline());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      env.close();
    }

    KeyMetadata open(int i) throws Exception {
      try (KeyHandle h = env.service.open(env.l3s[i])) {
        return h.metadata();
      }
    }
  }

  @Benchmark
  public com.google.gson.JsonObject bareDriverRead(Bare s, Walk w) throws Exception {
    return s.driver.read(s.paths[w.next()]);
  }

  @Benchmark
  public KeyMetadata coreOpenL3CacheOff(L3Uncached s, Walk w) throws Exception {
    return s.open(w.next());
  }

  @Benchmark
  public KeyMetadata coreOpenL3CacheOn(Cached s, Walk w) throws Exception {
    return s.open(w.next());
  }

  /** The OpenBao backend's own retrieve (one KV read + record decoding), no core in front. */
  @Benchmark
  public KeyRecord refBackendRetrieve(L3Uncached s, Walk w) throws Exception {
    return s.env.openbao.retrieve(s.env.l3s[w.next()]);
  }

  @Benchmark
  public KeyMetadata refCoreOpenL3CacheOffInline(L3UncachedInline s, Walk w) throws Exception {
    return s.open(w.next());
  }

  @Benchmark
  public KeyMetadata refCoreOpenL3NoCacheAtAll(NoCacheAtAll s, Walk w) throws Exception {
    return s.open(w.next());
  }
}
