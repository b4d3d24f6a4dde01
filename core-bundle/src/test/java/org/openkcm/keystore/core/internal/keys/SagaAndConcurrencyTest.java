package org.openkcm.keystore.core.internal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openkcm.keystore.api.KeyHandle;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;

/**
 * Multi-step operations leave no half state; lost optimistic races are retried against the winner's
 * state.
 */
class SagaAndConcurrencyTest {
  @TempDir Path dir;
  private CoreFixture f;

  @BeforeEach
  void setUp() {
    f = new CoreFixture(dir);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private java.util.List<KeyMetadata> versions(String id) throws Exception {
    return f.memory.list(KeyFilter.builder().keyId(id).build()).items();
  }

  @Test
  void rotationFailingAtDeprecationIsRolledBack() throws Exception {
    KeyMetadata l2 = f.l2("acme");
    f.backend.failUpdate = m -> m.ref().equals(l2.ref());
    assertThatThrownBy(() -> f.service.rotate(l2.id()))
        .isInstanceOf(BackendUnavailableException.class);
    assertThat(versions(l2.id())).extracting(KeyMetadata::status).containsExactly(KeyStatus.ACTIVE);
    f.backend.failUpdate = m -> false;
    try (KeyHandle h = f.service.openActive(l2.id())) {
      assertThat(h.metadata().ref()).isEqualTo(l2.ref());
    }
  }

  @Test
  void rotationFailingAtActivationRestoresTheOldVersion() throws Exception {
    KeyMetadata l2 = f.l2("acme");
    f.backend.failUpdate = m -> m.version() == 2 && m.status() == KeyStatus.ACTIVE;
    assertThatThrownBy(() -> f.service.rotate(l2.id()))
        .isInstanceOf(BackendUnavailableException.class);
    assertThat(versions(l2.id()))
        .extracting(KeyMetadata::ref, KeyMetadata::status)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(l2.ref(), KeyStatus.ACTIVE));
    f.backend.failUpdate = m -> false;
    assertThat(f.service.rotate(l2.id()).version()).isEqualTo(2); // and a retry then works
  }

  @Test
  void rotationThatCannotCompensateLeavesATaggedIntentForTheReconciler() throws Exception {
    KeyMetadata l2 = f.l2("acme");
    f.backend.failUpdate = m -> m.version() == 2 && m.status() == KeyStatus.ACTIVE;
    f.backend.failDelete = true;
    assertThatThrownBy(() -> f.service.rotate(l2.id()))
        .isInstanceOf(BackendUnavailableException.class);
    var stored = versions(l2.id());
    assertThat(stored).hasSize(2);
    assertThat(stored.get(0).status())
        .isEqualTo(KeyStatus.ACTIVE); // old version restored before the delete failed
    assertThat(stored.get(1).status()).isEqualTo(KeyStatus.PENDING);
    assertThat(stored.get(1).tags()).containsEntry(ReservedTags.SAGA, "rotate-from:1");
    f.backend.failUpdate = m -> false;
    f.backend.failDelete = false;
    assertThatThrownBy(() -> f.service.open(stored.get(1).ref()))
        .hasMessageContaining("PENDING"); // never usable
    try (KeyHandle h = f.service.openActive(l2.id())) {
      assertThat(h.metadata().ref()).isEqualTo(l2.ref());
    }
  }

  @Test
  void cascadeDestroyStoppedHalfWayLeavesIntentAndCanBeFinished() throws Exception {
    KeyMetadata l2 = f.l2("acme");
    KeyMetadata l3 = f.child(KeyTier.L3, l2.id());
    KeyMetadata l4 = f.child(KeyTier.L4, l3.id());
    f.backend.failDelete = true;
    assertThatThrownBy(() -> f.service.destroy(l2.id(), true))
        .isInstanceOf(BackendUnavailableException.class);
    assertThat(f.stored(l2.ref()).metadata().tags()).containsEntry(ReservedTags.SAGA, "destroy");
    assertThat(f.stored(l3.ref()).metadata().tags()).containsEntry(ReservedTags.SAGA, "destroy");
    f.backend.failDelete = false;
    f.service.destroy(l2.id(), true);
    assertThat(f.everythingStored())
        .hasSize(3)
        .allMatch(
            r ->
                r.metadata().status() == KeyStatus.DESTROYED
                    && !r.metadata().tags().containsKey(ReservedTags.SAGA));
    assertThatThrownBy(() -> f.service.open(l4.ref()))
        .isInstanceOf(org.openkcm.keystore.model.InvalidKeyRequestException.class);
  }

  @Test
  void aLostOptimisticRaceIsRetriedOnTheWinnersState() throws Exception {
    KeyMetadata l2 = f.l2("acme");
    f.backend.beforeUpdate =
        () -> {
          try { // another node changes tags between our read and our write
            KeyMetadata cur = f.memory.retrieve(l2.ref()).metadata();
            long rev = f.memory.retrieve(l2.ref()).revision();
            f.memory.updateMetadata(
                TestStamps.stamp(f.root, cur.toBuilder().tag("other", "node").build(), rev + 1),
                rev);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        };
    KeyMetadata m = f.service.changeStatus(l2.ref(), KeyStatus.SUSPENDED);
    assertThat(m.status()).isEqualTo(KeyStatus.SUSPENDED);
    assertThat(f.stored(l2.ref()).metadata().tags()).containsEntry("other", "node");
    assertThat(f.stored(l2.ref()).metadata().status()).isEqualTo(KeyStatus.SUSPENDED);
    assertThat(f.stored(l2.ref()).revision()).isEqualTo(3);
  }

  @Test
  void aRaceThatInvalidatesTheTransitionIsRefusedAfterReRead() throws Exception {
    KeyMetadata l2 = f.l2("acme");
    f.backend.beforeUpdate =
        () -> {
          try { // another node suspends then deprecates it first
            KeyMetadata cur = f.memory.retrieve(l2.ref()).metadata();
            f.memory.updateMetadata(
                TestStamps.stamp(f.root, cur.toBuilder().status(KeyStatus.DEPRECATED).build(), 2),
                1);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        };
    assertThatThrownBy(() -> f.service.changeStatus(l2.ref(), KeyStatus.SUSPENDED))
        .hasMessageContaining("DEPRECATED to SUSPENDED");
    assertThat(f.stored(l2.ref()).metadata().status()).isEqualTo(KeyStatus.DEPRECATED);
  }

  @Test
  void keysStayWhereTheyWereStoredWhenRoutingChanges() throws Exception {
    var second = new org.openkcm.keystore.inmemory.internal.InMemoryKeystore("second", 1000);
    TestDirectory d = new TestDirectory(f.backend, second);
    var svc =
        new CryptoKeyService(
            d,
            f.root,
            new org.openkcm.keystore.core.internal.cache.KeyCache(
                org.openkcm.keystore.core.internal.cache.CacheSettings.defaults()));
    KeyMetadata l2 =
        svc.create(
            org.openkcm.keystore.api.CreateKeyRequest.builder(
                    KeyTier.L2, org.openkcm.keystore.model.Owner.tenant("t"))
                .build());
    d.route(KeyTier.L2, "second").route(KeyTier.L3, "second");
    KeyMetadata l3 =
        svc.create(
            org.openkcm.keystore.api.CreateKeyRequest.builder(
                    KeyTier.L3, org.openkcm.keystore.model.Owner.service("s"))
                .parentId(l2.id())
                .build());
    assertThat(second.retrieve(l3.ref())).isNotNull();
    assertThat(f.memory.retrieve(l2.ref())).isNotNull();
    KeyMetadata l2v2 =
        svc.rotate(l2.id()); // the new version goes where the key lives, not where L2 routes now
    assertThat(f.memory.retrieve(l2v2.ref())).isNotNull();
    var fresh =
        new CryptoKeyService(
            d,
            f.root,
            new org.openkcm.keystore.core.internal.cache.KeyCache(
                org.openkcm.keystore.core.internal.cache.CacheSettings.defaults()));
    try (KeyHandle h = fresh.open(l3.ref())) { // found by search across both backends
      assertThat(h.metadata()).isEqualTo(l3);
    }
    assertThat(fresh.list(KeyFilter.all()).items())
        .extracting(KeyMetadata::ref)
        .containsExactly(KeyRef.of(l2.id(), 1), KeyRef.of(l2.id(), 2), l3.ref());
    fresh.updateMetadata(l3.ref(), Map.of("x", "y"), null);
    assertThat(second.retrieve(l3.ref()).metadata().tags()).containsEntry("x", "y");
    second.close();
  }
}
