package org.openkcm.keystore.core.internal.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.api.CacheStatistics;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.spi.KeyRecord;

/** The cache hands out copies only, and zeroizes the arrays it drops, whatever the cause. */
class KeyCacheTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final Ticker ticker = now::get;

  private static KeyMetadata l4(String id) throws Exception {
    return KeyMetadata.builder()
        .ref(KeyRef.of(id, 1))
        .tier(KeyTier.L4)
        .owner(Owner.service("s"))
        .parent(KeyRef.of("p", 1))
        .build();
  }

  private static byte[] key(int fill) {
    byte[] b = new byte[32];
    java.util.Arrays.fill(b, (byte) fill);
    return b;
  }

  private KeyCache cache(CacheSettings s) {
    return new KeyCache(s, ticker, false);
  }

  @Test
  void hitsAreCopiesAndCallersCannotTouchTheCachedArray() throws Exception {
    KeyCache c = cache(CacheSettings.defaults());
    byte[] owned = key(7);
    c.putPlaintext(l4("a"), owned);
    CachedKey hit = c.copyPlaintext(KeyRef.of("a", 1));
    assertThat(hit.material()).isNotSameAs(owned).isEqualTo(key(7));
    java.util.Arrays.fill(hit.material(), (byte) 0); // the caller wipes its copy...
    assertThat(c.copyPlaintext(KeyRef.of("a", 1), KeyTier.L4).material())
        .isEqualTo(key(7)); // ...the cache keeps its own
    assertThat(owned).isEqualTo(key(7));
  }

  @Test
  void sizeEvictionZeroizesTheEvictedArray() throws Exception {
    KeyCache c =
        cache(CacheSettings.defaults().with(KeyTier.L4, CacheSettings.policy(1, 60, 60, true)));
    byte[] first = key(1);
    byte[] second = key(2);
    c.putPlaintext(l4("a"), first);
    c.putPlaintext(l4("b"), second);
    c.cleanUp();
    byte[] evicted = c.holdsPlaintext(KeyRef.of("a", 1)) ? second : first;
    assertThat(evicted).containsOnly(0);
    assertThat(stats(c, "plaintext L4").evictions()).isEqualTo(1);
  }

  @Test
  void expiryZeroizesAfterTtlAndIdle() throws Exception {
    KeyCache c =
        cache(CacheSettings.defaults().with(KeyTier.L4, CacheSettings.policy(10, 60, 30, true)));
    byte[] idle = key(3);
    c.putPlaintext(l4("idle"), idle);
    now.addAndGet(Duration.ofSeconds(31).toNanos());
    c.cleanUp();
    assertThat(idle).containsOnly(0);
    assertThat(c.copyPlaintext(KeyRef.of("idle", 1))).isNull();

    byte[] busy = key(4);
    c.putPlaintext(l4("busy"), busy);
    for (int i = 0; i < 3; i++) { // read every 19 s: idle (30 s) never fires, TTL (60 s) does
      now.addAndGet(Duration.ofSeconds(19).toNanos());
      assertThat(c.copyPlaintext(KeyRef.of("busy", 1))).isNotNull();
    }
    now.addAndGet(Duration.ofSeconds(4).toNanos());
    c.cleanUp();
    assertThat(busy).containsOnly(0);
  }

  @Test
  void zeroIdleSwitchesIdleExpiryOffButKeepsTtl() throws Exception {
    KeyCache c =
        cache(CacheSettings.defaults().with(KeyTier.L4, CacheSettings.policy(10, 60, 0, true)));
    byte[] k = key(2);
    c.putPlaintext(l4("a"), k);
    now.addAndGet(Duration.ofSeconds(59).toNanos()); // unread for 59 s: no idle expiry
    c.cleanUp();
    assertThat(c.copyPlaintext(KeyRef.of("a", 1))).isNotNull();
    now.addAndGet(Duration.ofSeconds(2).toNanos());
    c.cleanUp();
    assertThat(k).containsOnly(0);
  }

  @Test
  void invalidationAndReplacementZeroizeBeforeReturning() throws Exception {
    KeyCache c = cache(CacheSettings.defaults());
    byte[] a = key(5);
    c.putPlaintext(l4("a"), a);
    c.invalidate(KeyRef.of("a", 1));
    assertThat(a).containsOnly(0); // no cleanUp needed: the removal listener runs on this thread
    byte[] b1 = key(6);
    byte[] b2 = key(8);
    c.putPlaintext(l4("b"), b1);
    c.putPlaintext(l4("b"), b2);
    assertThat(b1).containsOnly(0);
    c.close();
    assertThat(b2).containsOnly(0);
  }

  @Test
  void plaintextLayerCanBeSwitchedOffPerTier() throws Exception {
    KeyCache c =
        cache(CacheSettings.defaults().with(KeyTier.L4, CacheSettings.policy(10, 60, 60, false)));
    byte[] owned = key(9);
    c.putPlaintext(l4("a"), owned);
    assertThat(owned).containsOnly(0);
    assertThat(c.holdsPlaintext(KeyRef.of("a", 1))).isFalse();
    c.putSealed(new KeyRecord(l4("a"), new byte[] {1, 2}, 1), "mem");
    assertThat(c.freshSealed(KeyRef.of("a", 1), KeyTier.L4))
        .isNotNull(); // the sealed layer still works
  }

  @Test
  void countsHitsMissesAndEvictionsPerLayer() throws Exception {
    KeyCache c = cache(CacheSettings.defaults());
    c.putPlaintext(l4("a"), key(1));
    c.copyPlaintext(KeyRef.of("a", 1));
    c.copyPlaintext(KeyRef.of("a", 1));
    c.plaintextMissed(KeyTier.L4);
    c.freshSealed(KeyRef.of("zzz", 1), KeyTier.L4);
    CacheStatistics.Layer p = stats(c, "plaintext L4");
    assertThat(p.hits()).isEqualTo(2);
    assertThat(p.misses()).isEqualTo(1);
    assertThat(p.size()).isEqualTo(1);
    assertThat(stats(c, "sealed L4").misses()).isEqualTo(1);
    assertThat(c.statistics().layers()).hasSize(6);
  }

  @Test
  void staleSealedRecordsServedOnlyWithinMaxStaleness() throws Exception {
    CacheSettings s =
        CacheSettings.defaults()
            .with(KeyTier.L4, CacheSettings.policy(10, 60, 30, false))
            .withServeStale(true, Duration.ofSeconds(100));
    KeyCache c = cache(s);
    KeyRef ref = KeyRef.of("a", 1);
    c.putSealed(new KeyRecord(l4("a"), new byte[] {1}, 1), "mem");
    now.addAndGet(Duration.ofSeconds(90).toNanos());
    assertThat(c.freshSealed(ref, KeyTier.L4)).isNull(); // past TTL: not fresh
    assertThat(c.staleSealed(ref))
        .isNotNull(); // but within TTL + staleness (160 s), idle expiry not applied
    now.addAndGet(Duration.ofSeconds(71).toNanos());
    assertThat(c.staleSealed(ref)).isNull();
    assertThat(cache(CacheSettings.defaults()).staleSealed(ref)).isNull(); // off by default
  }

  @Test
  void secretBytesNeverHandsOutZerosAfterDestroy() {
    SecretBytes s = new SecretBytes(key(3));
    assertThat(s.copy()).isEqualTo(key(3));
    s.destroy();
    assertThat(s.copy()).isNull();
    assertThat(s.destroyed()).isTrue();
    assertThat(s.toString()).doesNotContain("3, 3");
  }

  private static CacheStatistics.Layer stats(KeyCache c, String name) {
    return c.statistics().layers().stream()
        .filter(l -> l.name().equals(name))
        .findFirst()
        .orElseThrow();
  }
}
