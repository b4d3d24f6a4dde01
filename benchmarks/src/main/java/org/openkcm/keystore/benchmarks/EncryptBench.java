package org.openkcm.keystore.benchmarks;

import java.util.Arrays;
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

/**
 * {@code KeyService.encrypt} / {@code decrypt} of 1 KiB with a cached L4 (the material used from
 * the cache, no handle) against bare JDK AES-256-GCM under the same key with a per-thread cipher.
 */
@State(Scope.Benchmark)
public class EncryptBench {
  private BenchCore core;
  private KeyMetadata key;
  private SecretKeySpec same;
  private final byte[] plaintext = new byte[1024];
  private final byte[] aad = new byte[16];
  private byte[] coreCiphertext;
  private byte[] floorCiphertext;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    core = new BenchCore(CacheSettings.defaults());
    key = core.service.create(core.l4Request);
    byte[] material;
    try (KeyHandle h = core.service.open(key.ref())) {
      material = h.copyMaterial();
    }
    same = new SecretKeySpec(material, "AES");
    Arrays.fill(material, (byte) 0);
    coreCiphertext = core.service.encrypt(key.id(), plaintext, aad);
    floorCiphertext = CryptoFloor.encrypt(same, plaintext, aad);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    core.close();
  }

  @Benchmark
  public byte[] coreEncrypt1k() throws Exception {
    return core.service.encrypt(key.id(), plaintext, aad);
  }

  @Benchmark
  public byte[] floorEncrypt1k() throws Exception {
    return CryptoFloor.encrypt(same, plaintext, aad);
  }

  @Benchmark
  public byte[] coreDecrypt1k() throws Exception {
    return core.service.decrypt(key.id(), coreCiphertext, aad);
  }

  @Benchmark
  public byte[] floorDecrypt1k() throws Exception {
    return CryptoFloor.decrypt(same, floorCiphertext, aad);
  }
}
