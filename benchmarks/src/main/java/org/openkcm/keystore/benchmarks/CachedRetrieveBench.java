package org.openkcm.keystore.benchmarks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openkcm.keystore.api.KeyHandle;
import org.openkcm.keystore.core.internal.cache.CacheSettings;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;

/**
 * Cached L4 retrieve through the whole core (open -> handle holding a private copy -> close, which
 * wipes it) against a bare Caffeine lookup of the same keys plus the 32-byte copy any safe hand-out
 * needs.
 */
@State(Scope.Benchmark)
public class CachedRetrieveBench {
  private BenchCore core;
  private KeyRef[] refs;
  private Cache<KeyRef, byte[]> bare;
  private Cache<KeyRef, byte[]> samePolicy;
  private final AtomicLong clock = new AtomicLong(System.nanoTime());

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    core = new BenchCore(CacheSettings.defaults());
    refs = new KeyRef[Cursor.KEYS];
    bare = Caffeine.newBuilder().maximumSize(100_000).build();
    // the L4 plaintext layer's policy (size, TTL, idle; zeroizing listener) on a clock as cheap as
    // the core's
    samePolicy =
        Caffeine.newBuilder()
            .maximumSize(100_000)
            .expireAfterWrite(Duration.ofSeconds(300))
            .expireAfterAccess(Duration.ofSeconds(60))
            .ticker(clock::get)
            .executor(Runnable::run)
            .<KeyRef, byte[]>removalListener((k, v, cause) -> Arrays.fill(v, (byte) 0))
            .build();
    for (int i = 0; i < refs.length; i++) {
      KeyMetadata m = core.service.create(core.l4Request);
      refs[i] = m.ref();
      try (KeyHandle h = core.service.open(m.ref())) {
        bare.put(m.ref(), h.copyMaterial());
        samePolicy.put(m.ref(), h.copyMaterial());
      }
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    core.close();
  }

  @Benchmark
  public KeyMetadata coreCachedOpen(Cursor c) throws Exception {
    try (KeyHandle h = core.service.open(refs[c.next()])) {
      return h.metadata();
    }
  }

  @Benchmark
  public byte[] floorCaffeineCopy(Cursor c) {
    return bare.getIfPresent(refs[c.next()]).clone();
  }

  /**
   * Not a floor the target names: shows what the cache policy itself (TTL + idle) costs over bare
   * Caffeine.
   */
  @Benchmark
  public byte[] refCaffeinePolicyCopy(Cursor c) {
    return samePolicy.getIfPresent(refs[c.next()]).clone();
  }
}
