package org.openkcm.keystore.core.internal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openkcm.keystore.api.CreateKeyRequest;
import org.openkcm.keystore.api.KeyHandle;
import org.openkcm.keystore.core.internal.cache.CacheSettings;
import org.openkcm.keystore.core.internal.cache.KeyCache;
import org.openkcm.keystore.core.internal.crypto.EnvelopeSealer;
import org.openkcm.keystore.core.internal.crypto.LocalRootKeyProvider;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.openbao.internal.TestKeystores;
import org.openkcm.keystore.openbao.testing.OpenBaoServer;
import org.openkcm.keystore.spi.Keystore;

/**
 * Rotations left half-done by a runtime that died (at every step that leaves an intent) are
 * resolved by the reconcilers of two other runtimes running at the same moment over one real
 * OpenBao: each intent is finished or rolled back exactly once (the reports add up to one action
 * per intent), and every key ends with exactly one ACTIVE version and no intent. Destroy cascades
 * the dead runtime left (intent written, or one child already shredded) are rolled forward by
 * exactly one of them (claimed like rotations), leaving only tombstones.
 */
class ConcurrentReconcilersTest {
  @TempDir Path dir;
  private OpenBaoServer bao;
  private final List<Keystore> clients = new ArrayList<>();
  private final List<CryptoKeyService> runtimes = new ArrayList<>();
  private LocalRootKeyProvider root;
  private String prefix;

  @BeforeEach
  void start() {
    bao = OpenBaoServer.startDev();
    root = new LocalRootKeyProvider(dir.resolve("master.key"), n -> null);
    prefix = "reconcilers-" + System.nanoTime();
  }

  @AfterEach
  void stop() {
    runtimes.forEach(CryptoKeyService::close);
    clients.forEach(TestKeystores::close);
    root.close();
    bao.close();
  }

  private CryptoKeyService runtime(CrashingKeystore.Trigger crash) {
    Keystore client = TestKeystores.openBao(bao, prefix);
    clients.add(client);
    Keystore k = crash == null ? client : new CrashingKeystore(client, crash);
    CryptoKeyService s =
        new CryptoKeyService(
            new TestDirectory(k)
                .route(KeyTier.L2, "openbao")
                .route(KeyTier.L3, "openbao")
                .route(KeyTier.L4, "openbao"),
            root,
            new KeyCache(CacheSettings.defaults()));
    runtimes.add(s);
    return s;
  }

  @Test
  void twoReconcilersResolveEachDeadRuntimesIntentExactlyOnce() throws Exception {
    CrashingKeystore.Trigger crash = new CrashingKeystore.Trigger();
    CryptoKeyService dying = runtime(crash);
    KeyMetadata tenant =
        dying.create(CreateKeyRequest.builder(KeyTier.L2, Owner.tenant("acme")).build());
    int each = 6;
    List<String> rolledBackExpected = new ArrayList<>();
    List<String> finishedExpected = new ArrayList<>();
    for (int i = 0; i < 2 * each; i++) {
      KeyMetadata l3 =
          dying.create(
              CreateKeyRequest.builder(KeyTier.L3, Owner.service("svc"))
                  .parentId(tenant.id())
                  .build());
      // write 1 = the PENDING version (rolled back), write 2 = the old version DEPRECATED
      // (finished)
      boolean pastStep2 = i % 2 == 1;
      crash.arm(pastStep2 ? 2 : 1, true);
      try {
        dying.rotate(l3.id());
        throw new AssertionError("the rotation was to die at write " + (pastStep2 ? 2 : 1));
      } catch (CrashingKeystore.Crash expected) {
        crash.disarm();
      }
      (pastStep2 ? finishedExpected : rolledBackExpected).add(l3.id());
    }

    // destroy cascades of an L3 with two L4 children: write 1 = the intent on the L3 (nothing
    // shredded yet), write 2 = the first child's record deleted
    List<String> destroyedExpected = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      KeyMetadata l3 =
          dying.create(
              CreateKeyRequest.builder(KeyTier.L3, Owner.service("svc"))
                  .parentId(tenant.id())
                  .build());
      destroyedExpected.add(l3.id());
      for (int child = 0; child < 2; child++) {
        destroyedExpected.add(
            dying
                .create(
                    CreateKeyRequest.builder(KeyTier.L4, Owner.service("svc"))
                        .parentId(l3.id())
                        .build())
                .id());
      }
      crash.arm(1 + i % 2, true);
      try {
        dying.destroy(l3.id(), true);
        throw new AssertionError("the destroy was to die at write " + (1 + i % 2));
      } catch (CrashingKeystore.Crash expected) {
        crash.disarm();
      }
    }

    List<CryptoKeyService> reconcilers = List.of(runtime(null), runtime(null));
    CyclicBarrier together = new CyclicBarrier(reconcilers.size());
    ExecutorService pool = Executors.newFixedThreadPool(reconcilers.size());
    List<Future<List<ReconcileReport>>> passes = new ArrayList<>();
    try {
      for (CryptoKeyService r : reconcilers) {
        passes.add(
            pool.submit(
                () -> {
                  List<ReconcileReport> reports = new ArrayList<>();
                  for (int pass = 0; pass < 3; pass++) {
                    together.await(30, TimeUnit.SECONDS);
                    reports.add(r.reconcile(Duration.ZERO, false));
                  }
                  return reports;
                }));
      }
      int finished = 0;
      int rolledBack = 0;
      int destroyed = 0;
      int failed = 0;
      for (Future<List<ReconcileReport>> f : passes) {
        for (ReconcileReport r : f.get(120, TimeUnit.SECONDS)) {
          finished += r.rotationsFinished();
          rolledBack += r.rotationsRolledBack();
          destroyed += r.destroysFinished();
          failed += r.failed();
        }
      }
      assertThat(failed).isZero();
      assertThat(destroyed).as("destroys rolled forward, over both reconcilers").isEqualTo(4);
      assertThat(finished).as("rotations finished, over both reconcilers").isEqualTo(each);
      assertThat(rolledBack).as("rotations rolled back, over both reconcilers").isEqualTo(each);
    } finally {
      pool.shutdownNow();
    }

    CryptoKeyService fresh = runtime(null);
    for (String id : finishedExpected) {
      assertVersions(fresh, id, 2);
      assertThat(KeyPlacement.versions(clients.get(0), id)).hasSize(2);
    }
    for (String id : rolledBackExpected) {
      assertVersions(fresh, id, 1);
    }
    for (String id : destroyedExpected) {
      // only the authenticated tombstone is left in OpenBao, no intent, no material (none at all
      // for the child whose delete was the dead runtime's last write)
      List<KeyMetadata> all = KeyPlacement.versions(clients.get(0), id);
      assertThat(all).as(id).hasSizeLessThanOrEqualTo(1);
      for (KeyMetadata m : all) {
        assertThat(KeyDestroyer.isTombstone(m)).as(m.ref().toString()).isTrue();
        assertThat(clients.get(0).retrieve(m.ref()).sealed()).isEqualTo(EnvelopeSealer.tombstone());
      }
      assertThatThrownBy(() -> fresh.open(KeyRef.of(id, 1))).isInstanceOf(KeystoreException.class);
    }
  }

  private void assertVersions(CryptoKeyService s, String id, int activeVersion) throws Exception {
    // as OpenBao holds them, reserved tags included
    List<KeyMetadata> all = KeyPlacement.versions(clients.get(0), id);
    assertThat(all).isNotEmpty();
    assertThat(all).extracting(KeyMetadata::status).doesNotContain(KeyStatus.PENDING);
    assertThat(all).allSatisfy(m -> assertThat(m.tags()).doesNotContainKey(ReservedTags.SAGA));
    assertThat(all).filteredOn(m -> m.status() == KeyStatus.ACTIVE).hasSize(1);
    try (KeyHandle h = s.openActive(id)) {
      assertThat(h.metadata().version()).as(id).isEqualTo(activeVersion);
    }
  }
}
