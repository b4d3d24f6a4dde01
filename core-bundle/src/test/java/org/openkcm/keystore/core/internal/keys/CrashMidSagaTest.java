package org.openkcm.keystore.core.internal.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openkcm.keystore.api.CreateKeyRequest;
import org.openkcm.keystore.api.KeyHandle;
import org.openkcm.keystore.core.internal.cache.CacheSettings;
import org.openkcm.keystore.core.internal.cache.KeyCache;
import org.openkcm.keystore.core.internal.crypto.LocalRootKeyProvider;
import org.openkcm.keystore.inmemory.internal.InMemoryKeystore;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Owner;

/**
 * The runtime dies in the middle of a saga, at every write of it in turn (before the write reaches
 * the backend, and after), a new core starts over the same backends and the reconciler runs once:
 * no PENDING record, no intent tag, no orphan, and the key is whole (rotation: usable, old data
 * decrypts; destroy: all of the tree or none of it).
 */
class CrashMidSagaTest {
  @TempDir Path dir;
  private final InMemoryKeystore tiered = new InMemoryKeystore("tiered", 10_000);
  private final InMemoryKeystore edge = new InMemoryKeystore("inmemory", 10_000);
  private final CrashingKeystore.Trigger trigger = new CrashingKeystore.Trigger();
  private TestDirectory directory;
  private LocalRootKeyProvider root;
  private CryptoKeyService core;

  @BeforeEach
  void setUp() {
    directory =
        new TestDirectory(
                new CrashingKeystore(tiered, trigger), new CrashingKeystore(edge, trigger))
            .route(KeyTier.L2, "tiered")
            .route(KeyTier.L3, "tiered")
            .route(KeyTier.L4, "inmemory");
    root = new LocalRootKeyProvider(dir.resolve("master.key"), n -> null);
    core = newCore();
  }

  @AfterEach
  void tearDown() {
    core.close();
    root.close();
    tiered.close();
    edge.close();
  }

  private CryptoKeyService newCore() {
    return new CryptoKeyService(directory, root, new KeyCache(CacheSettings.defaults()));
  }

  /**
   * Drops the core as a crash would (nothing flushed, nothing compensated) and starts a fresh one.
   */
  private void restartAndReconcile() throws KeystoreException {
    trigger.disarm();
    core = newCore();
    ReconcileReport r = core.reconcile(Duration.ZERO, true);
    assertThat(r.failed()).isZero();
    ChaosInvariants inv = new ChaosInvariants(List.of(tiered, edge));
    inv.checkNoOrphans();
    assertThat(inv.orphans).as("after one reconcile").isEmpty();
  }

  @ParameterizedTest(name = "crash after the write: {0}")
  @ValueSource(booleans = {false, true})
  void rotationCrashingAtEveryWriteIsFinishedOrRolledBack(boolean afterWrite) throws Exception {
    int crashes = 0;
    for (int n = 1; ; n++) {
      KeyMetadata l2 = create(KeyTier.L2, null, "rot" + n + afterWrite);
      KeyMetadata l3 = create(KeyTier.L3, l2.id(), null);
      byte[] aad = "aad".getBytes(StandardCharsets.UTF_8);
      byte[] ct = core.encrypt(l3.id(), "secret".getBytes(StandardCharsets.UTF_8), aad);
      trigger.arm(n, afterWrite);
      try {
        core.rotate(l3.id());
        trigger.disarm();
        break; // the saga has fewer than n writes: every step was covered
      } catch (CrashingKeystore.Crash crash) {
        crashes++;
      }
      restartAndReconcile();
      List<KeyMetadata> versions = versions(l3.id());
      assertThat(versions)
          .extracting(KeyMetadata::status)
          .as("crash at write " + n)
          .allMatch(s -> s == KeyStatus.ACTIVE || s == KeyStatus.DEPRECATED)
          .filteredOn(s -> s == KeyStatus.ACTIVE)
          .hasSize(1);
      try (KeyHandle h = core.openActive(l3.id())) {
        assertThat(h.metadata().status()).isEqualTo(KeyStatus.ACTIVE);
      }
      assertThat(new String(core.decrypt(l3.id(), ct, aad), StandardCharsets.UTF_8))
          .isEqualTo("secret");
    }
    assertThat(crashes).as("a rotation has three writes").isEqualTo(3);
  }

  @ParameterizedTest(name = "crash after the write: {0}")
  @ValueSource(booleans = {false, true})
  void cascadeDestroyCrashingAtEveryWriteEndsAllOrNothing(boolean afterWrite) throws Exception {
    int crashes = 0;
    for (int n = 1; ; n++) {
      KeyMetadata l2 = create(KeyTier.L2, null, "des" + n + afterWrite);
      core.rotate(l2.id());
      List<String> tree = new ArrayList<>(List.of(l2.id()));
      for (int i = 0; i < 2; i++) {
        KeyMetadata l3 = create(KeyTier.L3, l2.id(), null);
        tree.add(l3.id());
        tree.add(create(KeyTier.L4, l3.id(), null).id());
      }
      trigger.arm(n, afterWrite);
      try {
        core.destroy(l2.id(), true);
        trigger.disarm();
        break;
      } catch (CrashingKeystore.Crash crash) {
        crashes++;
      }
      restartAndReconcile();
      // a destroyed version leaves its tombstone (DESTROYED, no material): "present" = a version
      // not destroyed
      List<String> present =
          tree.stream()
              .filter(
                  id ->
                      versionsUnchecked(id).stream()
                          .anyMatch(
                              m -> m.status() != org.openkcm.keystore.model.KeyStatus.DESTROYED))
              .toList();
      assertThat(present.isEmpty() || present.equals(tree))
          .as("crash at write " + n + ": all of the tree or none, present " + present)
          .isTrue();
      for (String id : present) {
        try (KeyHandle h = core.openActive(id)) {
          assertThat(h.metadata().id()).isEqualTo(id);
        }
      }
    }
    assertThat(crashes).as("every write of the cascade was a crash point").isGreaterThan(8);
  }

  private KeyMetadata create(KeyTier tier, String parent, String id) throws KeystoreException {
    CreateKeyRequest.Builder b =
        CreateKeyRequest.builder(
            tier, tier == KeyTier.L2 ? Owner.tenant("acme") : Owner.service("svc"));
    if (parent != null) {
      b.parentId(parent);
    }
    if (id != null) {
      b.keyId(id);
    }
    return core.create(b.build());
  }

  private List<KeyMetadata> versions(String id) throws KeystoreException {
    List<KeyMetadata> out =
        new ArrayList<>(tiered.list(KeyFilter.builder().keyId(id).build()).items());
    out.addAll(edge.list(KeyFilter.builder().keyId(id).build()).items());
    return out;
  }

  private List<KeyMetadata> versionsUnchecked(String id) {
    try {
      return versions(id);
    } catch (KeystoreException e) {
      throw new IllegalStateException(e);
    }
  }
}
