package org.openkcm.keystore.core.internal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openkcm.keystore.api.CreateKeyRequest;
import org.openkcm.keystore.core.internal.cache.CacheSettings;
import org.openkcm.keystore.core.internal.cache.KeyCache;
import org.openkcm.keystore.core.internal.crypto.LocalRootKeyProvider;
import org.openkcm.keystore.core.internal.support.Annotations;
import org.openkcm.keystore.inmemory.internal.InMemoryKeystore;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.spi.KeyRecord;

/**
 * Reconciler rules one by one: grace period, PENDING never usable, migration duplicates, the DS
 * component's start pass.
 */
class ReconcilerTest {
  @TempDir Path dir;
  private final InMemoryKeystore a = new InMemoryKeystore("a", 1000);
  private final InMemoryKeystore b = new InMemoryKeystore("b", 1000);
  private LocalRootKeyProvider root;
  private CryptoKeyService core;

  @BeforeEach
  void setUp() {
    root = new LocalRootKeyProvider(dir.resolve("master.key"), n -> null);
    core =
        new CryptoKeyService(
            new TestDirectory(a, b).route(KeyTier.L4, "b"),
            root,
            new KeyCache(CacheSettings.defaults()));
  }

  @AfterEach
  void tearDown() {
    core.close();
    root.close();
  }

  /**
   * @return a key whose rotation stopped after step 1: version 2 PENDING, tagged, version 1 still
   *     ACTIVE
   */
  private KeyMetadata halfRotated() throws Exception {
    KeyMetadata l2 =
        core.create(CreateKeyRequest.builder(KeyTier.L2, Owner.tenant("acme")).build());
    KeyRecord v1 = a.retrieve(l2.ref());
    Map<String, String> tags = new TreeMap<>(l2.tags());
    tags.put(ReservedTags.SAGA, ReservedTags.SAGA_ROTATE + 1);
    KeyMetadata pending =
        l2.toBuilder().ref(KeyRef.of(l2.id(), 2)).status(KeyStatus.PENDING).tags(tags).build();
    a.store(
        TestStamps.stamp(root, pending, 1),
        v1.sealed()); // content is irrelevant: it must never be opened
    return pending;
  }

  @Test
  void aPendingVersionIsNeverUsableAndIsLeftAloneWithinTheGracePeriod() throws Exception {
    KeyMetadata pending = halfRotated();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> core.open(pending.ref()))
        .isInstanceOfSatisfying(
            InvalidKeyRequestException.class, e -> assertThat(e.field()).isEqualTo("status"));
    assertThat(core.openActive(pending.id()).metadata().version()).isEqualTo(1);

    ReconcileReport young = core.reconcile(Duration.ofHours(1), true);
    assertThat(young.skippedYoung()).isEqualTo(1);
    assertThat(a.retrieve(pending.ref()).metadata().status()).isEqualTo(KeyStatus.PENDING);

    ReconcileReport r = core.reconcile(Duration.ZERO, true);
    assertThat(r.rotationsRolledBack()).as("version 1 still ACTIVE: roll back").isEqualTo(1);
    assertThat(a.list(KeyFilter.builder().keyId(pending.id()).build()).items())
        .extracting(KeyMetadata::version)
        .containsExactly(1);
    assertThat(core.reconcile(Duration.ZERO, true).repaired()).as("idempotent").isZero();
  }

  @Test
  void aRotationPastItsDeprecationStepIsFinished() throws Exception {
    KeyMetadata pending = halfRotated();
    KeyRecord v1 = a.retrieve(KeyRef.of(pending.id(), 1));
    a.updateMetadata(
        TestStamps.stamp(
            root,
            v1.metadata().toBuilder().status(KeyStatus.DEPRECATED).build(),
            v1.revision() + 1),
        v1.revision());
    assertThat(core.reconcile(Duration.ZERO, true).rotationsFinished()).isEqualTo(1);
    KeyMetadata v2 = a.retrieve(pending.ref()).metadata();
    assertThat(v2.status()).isEqualTo(KeyStatus.ACTIVE);
    assertThat(v2.tags()).doesNotContainKey(ReservedTags.SAGA);
  }

  @Test
  void equalMigrationCopiesKeepTheRoutedOneAndDifferentCopiesAreLeftAsAConflict() throws Exception {
    KeyMetadata l2 =
        core.create(CreateKeyRequest.builder(KeyTier.L2, Owner.tenant("acme")).build());
    KeyMetadata other =
        core.create(CreateKeyRequest.builder(KeyTier.L2, Owner.tenant("beta")).build());
    KeyRecord r = a.retrieve(l2.ref());
    b.store(r.metadata(), r.sealed()); // a migration a -> b stopped between copy and source delete
    KeyRecord o = a.retrieve(other.ref());
    b.store(
        TestStamps.stamp(root, o.metadata().toBuilder().tags(Map.of("x", "y")).build(), 1),
        o.sealed()); // differs

    ReconcileReport rep = core.reconcile(Duration.ZERO, true);
    assertThat(rep.duplicatesResolved()).isEqualTo(1);
    assertThat(rep.conflicts()).isEqualTo(1);
    assertThat(a.size())
        .as("L2 routes to 'a': its copy kept, b's deleted; both conflict copies kept")
        .isEqualTo(2);
    assertThat(b.size()).isEqualTo(1);
    assertThat(core.openActive(l2.id()).metadata().ref()).isEqualTo(l2.ref());
  }

  @Test
  void theComponentReconcilesAtStartAndPeriodically() throws Exception {
    KeyMetadata pending = halfRotated();
    ReconcilerSchedule component = new ReconcilerSchedule(core::reconcile);
    try {
      // 1s: the smallest grace period the reconciler accepts (0s would roll back sagas still
      // running)
      component.configure(
          Annotations.of(ReconcilerConfig.class, Map.of("interval", "100ms", "gracePeriod", "1s")));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> a.list(KeyFilter.builder().keyId(pending.id()).build()).items().size() == 1);
      KeyMetadata second = halfRotatedAgain(pending.id());
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> a.list(KeyFilter.builder().keyId(second.id()).build()).items().size() == 1);
    } finally {
      component.stop();
    }
  }

  private KeyMetadata halfRotatedAgain(String id) throws Exception {
    KeyRecord v1 = a.retrieve(KeyRef.of(id, 1));
    Map<String, String> tags = new TreeMap<>(v1.metadata().tags());
    tags.put(ReservedTags.SAGA, ReservedTags.SAGA_ROTATE + 1);
    KeyMetadata pending =
        v1.metadata().toBuilder()
            .ref(KeyRef.of(id, 2))
            .status(KeyStatus.PENDING)
            .tags(tags)
            .build();
    a.store(TestStamps.stamp(root, pending, 1), v1.sealed());
    return pending;
  }
}
