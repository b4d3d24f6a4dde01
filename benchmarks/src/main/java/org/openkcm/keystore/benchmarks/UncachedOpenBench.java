package org.openkcm.keystore.benchmarks;

import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.spec.SecretKeySpec;
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
import org.openkcm.keystore.model.KeyTier;

/**
 * Uncached L4 open (L4 caching off in both layers; the L3 parent cached as in production):
 * placement, InMemory retrieve, parse, unwrap the DEK under the L3, decrypt, status check, handle.
 * Floor: a map get, the DEK unwrap and the material decrypt done directly.
 */
@State(Scope.Benchmark)
public class UncachedOpenBench {
  private BenchCore core;
  private KeyRef[] refs;
  private SecretKeySpec parent;
  private final ConcurrentHashMap<KeyRef, byte[]> floorStore = new ConcurrentHashMap<>();

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    core =
        new BenchCore(
            CacheSettings.defaults().with(KeyTier.L4, CacheSettings.policy(0, 1, 1, false)));
    parent = new SecretKeySpec(core.l3Material(), "AES");
    refs = new KeyRef[Cursor.KEYS];
    for (int i = 0; i < refs.length; i++) {
      KeyMetadata m = core.service.create(core.l4Request);
      refs[i] = m.ref();
      floorStore.put(m.ref(), CryptoFloor.seal(parent, new byte[16]));
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    core.close();
  }

  @Benchmark
  public KeyMetadata coreUncachedOpen(Cursor c) throws Exception {
    try (KeyHandle h = core.service.open(refs[c.next()])) {
      return h.metadata();
    }
  }

  @Benchmark
  public byte[] floorOpen(Cursor c) throws Exception {
    return CryptoFloor.open(parent, floorStore.get(refs[c.next()]));
  }
}
