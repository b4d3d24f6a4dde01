package org.openkcm.keystore.core.internal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openkcm.keystore.api.CreateKeyRequest;
import org.openkcm.keystore.api.KeyHandle;
import org.openkcm.keystore.core.internal.cache.CacheSettings;
import org.openkcm.keystore.core.internal.cache.KeyCache;
import org.openkcm.keystore.core.internal.crypto.DataCipher;
import org.openkcm.keystore.core.internal.crypto.LocalRootKeyProvider;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyNotFoundException;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.openbao.internal.TestKeystores;
import org.openkcm.keystore.openbao.testing.OpenBaoServer;
import org.openkcm.keystore.spi.Keystore;

/**
 * Two runtimes (two cores, each with its own OpenBao client and cache) over one real OpenBao: a key
 * compromised, suspended, rotated or destroyed on A is refused (or its new version used) on B as
 * soon as B's cached state is older than the revocation bound, without any message between them;
 * within the bound B serves from its cache; N callers past the bound cause one backend read per
 * key; a key created on A opens on B at once.
 */
class RevocationBoundTest {
  private static final Duration BOUND = Duration.ofSeconds(5);
  private static OpenBaoServer bao;

  @TempDir Path dir;
  private final AtomicLong nowB = new AtomicLong();
  private Keystore backendA;
  private Keystore backendB;
  private FaultyKeystore countingB;
  private LocalRootKeyProvider rootA;
  private LocalRootKeyProvider rootB;
  private CryptoKeyService a;
  private CryptoKeyService b;

  @BeforeAll
  static void startBao() {
    bao = OpenBaoServer.startDev();
  }

  @AfterAll
  static void stopBao() {
    if (bao != null) {
      bao.close();
    }
  }

  @BeforeEach
  void twoRuntimes() {
    String prefix = "bound-" + System.nanoTime();
    backendA = TestKeystores.openBao(bao, prefix);
    backendB = TestKeystores.openBao(bao, prefix);
    countingB = new FaultyKeystore(backendB);
    rootA = new LocalRootKeyProvider(dir.resolve("master.key"), n -> null);
    rootB = new LocalRootKeyProvider(dir.resolve("master.key"), n -> null);
    CacheSettings settings = CacheSettings.defaults().withRevalidateAfter(BOUND);
    a = new CryptoKeyService(directory(backendA), rootA, new KeyCache(settings));
    // B's clock is the test's: "the bound has passed" is a step, not a wait
    b = new CryptoKeyService(directory(countingB), rootB, new KeyCache(settings, nowB::get, false));
  }

  private static TestDirectory directory(Keystore k) {
    return new TestDirectory(k)
        .route(KeyTier.L2, "openbao")
        .route(KeyTier.L3, "openbao")
        .route(KeyTier.L4, "openbao");
  }

  @AfterEach
  void close() {
    b.close();
    a.close();
    rootA.close();
    rootB.close();
    TestKeystores.close(backendA);
    TestKeystores.close(backendB);
  }

  private KeyMetadata serviceKey() throws KeystoreException {
    KeyMetadata l2 = a.create(CreateKeyRequest.builder(KeyTier.L2, Owner.tenant("acme")).build());
    return a.create(
        CreateKeyRequest.builder(KeyTier.L3, Owner.service("billing")).parentId(l2.id()).build());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private void boundPasses() {
    nowB.addAndGet(BOUND.toNanos() + 1);
  }

  @Test
  void compromisedOnARefusedOnBOnceTheBoundPassesServedBeforeIt() throws Exception {
    KeyMetadata l3 = serviceKey();
    byte[] sealed = b.encrypt(l3.id(), bytes("before"), null); // B caches l3
    a.changeStatus(l3.ref(), KeyStatus.COMPROMISED);

    // within the bound B serves from its cache: no backend read
    int reads = countingB.retrieves.get();
    b.encrypt(l3.id(), bytes("within the bound"), null);
    assertThat(countingB.retrieves.get()).isEqualTo(reads);

    boundPasses();
    assertThatThrownBy(() -> b.encrypt(l3.id(), bytes("after"), null))
        .isInstanceOf(InvalidKeyRequestException.class)
        .hasMessageContaining("no ACTIVE version");
    try (KeyHandle h = b.open(l3.ref())) {
      assertThat(h.metadata().status()).isEqualTo(KeyStatus.COMPROMISED);
    }
    // a compromised key still decrypts what it protected (NIST SP 800-57), on B as on A
    assertThat(b.decrypt(l3.id(), sealed, null)).isEqualTo(bytes("before"));
  }

  @Test
  void suspendedOnARefusedOnBOnceTheBoundPasses() throws Exception {
    KeyMetadata l3 = serviceKey();
    b.encrypt(l3.id(), bytes("x"), null);
    a.changeStatus(l3.ref(), KeyStatus.SUSPENDED);
    boundPasses();
    assertThatThrownBy(() -> b.encrypt(l3.id(), bytes("x"), null))
        .isInstanceOf(InvalidKeyRequestException.class);
    assertThat(b.metadata(l3.ref()).status()).isEqualTo(KeyStatus.SUSPENDED);
  }

  @Test
  void rotatedOnAUsesTheNewVersionOnBOnceTheBoundPasses() throws Exception {
    KeyMetadata l3 = serviceKey();
    assertThat(DataCipher.keyVersion(b.encrypt(l3.id(), bytes("v1"), null))).isEqualTo(1);
    KeyMetadata v2 = a.rotate(l3.id());
    assertThat(v2.version()).isEqualTo(2);
    boundPasses();
    byte[] sealed = b.encrypt(l3.id(), bytes("v2"), null);
    assertThat(DataCipher.keyVersion(sealed)).isEqualTo(2);
    assertThat(a.decrypt(l3.id(), sealed, null)).isEqualTo(bytes("v2"));
  }

  @Test
  void destroyedOnARefusedOnBOnceTheBoundPassesAndNothingIsCachedAsMissing() throws Exception {
    KeyMetadata l3 = serviceKey();
    b.open(l3.ref()).close();
    a.destroy(l3.id(), false);
    boundPasses();
    // refused: gone, or a DESTROYED tombstone
    assertThatThrownBy(() -> b.open(l3.ref()))
        .isInstanceOfAny(KeyNotFoundException.class, InvalidKeyRequestException.class);
    assertThatThrownBy(() -> b.encrypt(l3.id(), bytes("x"), null))
        .isInstanceOf(KeystoreException.class);

    // no negative caching: a key B looked for in vain, created on A a moment later, opens on B
    // at once (B's clock does not move)
    String later = "later-" + System.nanoTime();
    assertThatThrownBy(() -> b.encrypt(later, bytes("x"), null))
        .isInstanceOf(KeyNotFoundException.class);
    KeyMetadata l2 = a.create(CreateKeyRequest.builder(KeyTier.L2, Owner.tenant("acme")).build());
    a.create(
        CreateKeyRequest.builder(KeyTier.L3, Owner.service("billing"))
            .keyId(later)
            .parentId(l2.id())
            .build());
    assertThat(DataCipher.keyVersion(b.encrypt(later, bytes("x"), null))).isEqualTo(1);
  }

  @Test
  void manyCallersPastTheBoundCauseOneReadPerKey() throws Exception {
    KeyMetadata l3 = serviceKey();
    b.open(l3.ref()).close();
    boundPasses();
    int callers = 16;
    int before = countingB.retrieves.get();
    CyclicBarrier start = new CyclicBarrier(callers);
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try {
      List<Future<KeyStatus>> done = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        done.add(
            pool.submit(
                () -> {
                  start.await(10, TimeUnit.SECONDS);
                  try (KeyHandle h = b.open(l3.ref())) {
                    return h.metadata().status();
                  }
                }));
      }
      for (Future<KeyStatus> f : done) {
        assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(KeyStatus.ACTIVE);
      }
    } finally {
      pool.shutdownNow();
    }
    // the service key and its tenant key: one read each, whatever the number of callers
    assertThat(countingB.retrieves.get() - before).isEqualTo(2);
  }

  @Test
  void withARealClockBRefusesWithinTheBound() throws Exception {
    Duration bound = Duration.ofMillis(500);
    CryptoKeyService realB =
        new CryptoKeyService(
            directory(backendB),
            rootB,
            new KeyCache(CacheSettings.defaults().withRevalidateAfter(bound)));
    try {
      KeyMetadata l3 = serviceKey();
      realB.encrypt(l3.id(), bytes("x"), null);
      a.changeStatus(l3.ref(), KeyStatus.COMPROMISED);
      long changed = System.nanoTime();
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(10))
          .until(
              () -> {
                try {
                  realB.encrypt(l3.id(), bytes("x"), null);
                  return false;
                } catch (InvalidKeyRequestException refused) {
                  return true;
                }
              });
      long seenMillis = (System.nanoTime() - changed) / 1_000_000;
      System.out.println("revocation seen on the other runtime after " + seenMillis + " ms");
      // the mechanism's promise: refused at the first call after the bound (plus the coarse
      // clock's step and one backend read)
      assertThat(seenMillis).isLessThan(bound.toMillis() + 2_000);
    } finally {
      realB.close();
    }
  }
}
