package org.openkcm.keystore.benchmarks;

import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openkcm.keystore.core.internal.cache.CacheSettings;
import org.openkcm.keystore.inmemory.internal.InMemoryKeystore;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyTier;

/**
 * L4 create (validate, generate, seal under the cached L3, store in InMemory, cache) against the
 * bare crypto floor (same random bytes, same two AES-GCM operations, a map put). A fresh store per
 * iteration keeps the heap flat.
 */
@State(Scope.Benchmark)
public class CreateBench {
  private static final HexFormat HEX = HexFormat.of();
  private BenchCore core;
  private SecretKeySpec parent;
  private ConcurrentHashMap<String, byte[]> floorStore;
  private InMemoryKeystore floorMemory;

  @Setup(Level.Iteration)
  public void setUp() throws Exception {
    core = new BenchCore(CacheSettings.defaults());
    parent = new SecretKeySpec(core.l3Material(), "AES");
    floorStore = new ConcurrentHashMap<>();
    floorMemory = new InMemoryKeystore("floor", 20_000_000);
  }

  @TearDown(Level.Iteration)
  public void tearDown() {
    core.close();
    floorMemory.close();
  }

  @Benchmark
  public KeyMetadata coreCreateL4() throws Exception {
    return core.service.create(core.l4Request);
  }

  @Benchmark
  public byte[] floorCreateL4() throws Exception {
    byte[] id = new byte[16];
    byte[] sealed = CryptoFloor.seal(parent, id);
    floorStore.put(HEX.formatHex(id), sealed);
    return sealed;
  }

  /**
   * Not the floor the target names: the same crypto plus the metadata every store needs and the
   * real InMemory store, to separate what the backend costs from what the core adds.
   */
  @Benchmark
  public long refFloorPlusInMemoryStore() throws Exception {
    byte[] id = new byte[16];
    byte[] sealed = CryptoFloor.seal(parent, id);
    KeyMetadata m =
        KeyMetadata.builder()
            .ref(KeyRef.of("l4-" + HEX.formatHex(id), 1))
            .tier(KeyTier.L4)
            .owner(core.l3.owner())
            .parent(core.l3.ref())
            .build();
    return floorMemory.store(m, sealed);
  }
}
