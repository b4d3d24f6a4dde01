package org.openkcm.keystore.core.internal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openkcm.keystore.api.CacheStatistics;
import org.openkcm.keystore.api.KeyHandle;
import org.openkcm.keystore.core.internal.cache.CacheSettings;
import org.openkcm.keystore.core.internal.cache.KeyCache;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;

/**
 * The core's use of the cache: hits avoid the backend, changes invalidate, serve-stale is bounded.
 */
class CacheBehaviourTest {
  @TempDir Path dir;
  private CoreFixture f;

  @AfterEach
  void tearDown() {
    f.close();
  }

  private CacheStatistics.Layer layer(String name) {
    return f.service.cacheStatistics().layers().stream()
        .filter(l -> l.name().equals(name))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void hotLookupsAreServedFromTheCacheAsCopies() throws Exception {
    f = new CoreFixture(dir);
    KeyMetadata l2 = f.l2("acme");
    KeyMetadata l3 = f.child(KeyTier.L3, l2.id());
    KeyMetadata l4 = f.child(KeyTier.L4, l3.id());
    int reads = f.backend.retrieves.get();
    byte[] first;
    try (KeyHandle h = f.service.open(l4.ref())) {
      first = h.copyMaterial();
    }
    try (KeyHandle h = f.service.open(l4.ref())) {
      assertThat(h.copyMaterial()).isEqualTo(first).isNotSameAs(first);
    }
    assertThat(f.backend.retrieves.get())
        .isEqualTo(reads); // created keys are cached: no backend read at all
    assertThat(layer("plaintext L4").hits()).isEqualTo(2);
  }

  @Test
  void rotationStatusChangeUpdateAndDeleteInvalidate() throws Exception {
    f = new CoreFixture(dir);
    KeyMetadata l2 = f.l2("acme");
    KeyMetadata l3 = f.child(KeyTier.L3, l2.id());
    KeyCache cache = f.service.cache();
    assertThat(cache.holdsPlaintext(l3.ref())).isTrue();

    KeyMetadata v2 = f.service.rotate(l3.id());
    assertThat(cache.holdsPlaintext(l3.ref())).isFalse();
    try (KeyHandle h = f.service.open(l3.ref())) {
      assertThat(h.metadata().status())
          .isEqualTo(KeyStatus.DEPRECATED); // re-read, not the stale ACTIVE entry
    }
    assertThat(cache.holdsPlaintext(l3.ref())).isTrue();
    f.service.changeStatus(l3.ref(), KeyStatus.RETIRED);
    assertThat(cache.holdsPlaintext(l3.ref())).isFalse();
    assertThat(f.service.metadata(l3.ref()).status()).isEqualTo(KeyStatus.RETIRED);

    f.service.open(v2.ref()).close();
    f.service.updateMetadata(v2.ref(), Map.of("k", "v"), null);
    assertThat(cache.holdsPlaintext(v2.ref())).isFalse();
    assertThat(f.service.metadata(v2.ref()).tags()).containsEntry("k", "v");

    f.service.open(v2.ref()).close();
    f.service.destroy(l3.id(), false);
    assertThat(cache.holdsPlaintext(v2.ref())).isFalse();
  }

  @Test
  void plaintextLayerOffForL4KeepsL4OutOfMemory() throws Exception {
    f =
        new CoreFixture(
            dir,
            CacheSettings.defaults().with(KeyTier.L4, CacheSettings.policy(100, 60, 60, false)));
    KeyMetadata l3 = f.child(KeyTier.L3, f.l2("acme").id());
    KeyMetadata l4 = f.child(KeyTier.L4, l3.id());
    f.service.open(l4.ref()).close();
    assertThat(f.service.cache().holdsPlaintext(l4.ref())).isFalse();
    assertThat(f.service.cache().holdsPlaintext(l3.ref())).isTrue();
  }

  @Test
  void serveStaleCoversAnOutageUpToTheMaximumStaleness() throws Exception {
    CacheSettings s =
        CacheSettings.defaults()
            .with(KeyTier.L4, CacheSettings.policy(100, 1, 1, false))
            .withServeStale(true, Duration.ofHours(1));
    f = new CoreFixture(dir, s);
    KeyMetadata l3 = f.child(KeyTier.L3, f.l2("acme").id());
    KeyMetadata l4 = f.child(KeyTier.L4, l3.id());
    f.service.open(l4.ref()).close(); // sealed record now cached
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> f.service.cache().freshSealed(l4.ref(), KeyTier.L4) == null); // TTL (1 s) passed
    f.backend.down = true;
    try (KeyHandle h = f.service.open(l4.ref())) {
      assertThat(h.metadata().ref()).isEqualTo(l4.ref());
    }
    KeyMetadata other =
        l4.toBuilder().ref(org.openkcm.keystore.model.KeyRef.of("never-read", 1)).build();
    assertThatThrownBy(() -> f.service.open(other.ref()))
        .isInstanceOf(BackendUnavailableException.class);
  }

  @Test
  void withoutServeStaleAnOutageIsReportedNotHidden() throws Exception {
    f =
        new CoreFixture(
            dir, CacheSettings.defaults().with(KeyTier.L4, CacheSettings.policy(0, 1, 1, false)));
    KeyMetadata l3 = f.child(KeyTier.L3, f.l2("acme").id());
    KeyMetadata l4 = f.child(KeyTier.L4, l3.id());
    f.backend.down = true;
    assertThatThrownBy(() -> f.service.open(l4.ref()))
        .isInstanceOf(BackendUnavailableException.class);
    f.backend.down = false;
    f.service.open(l4.ref()).close();
  }
}
