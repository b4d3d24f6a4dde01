package org.openkcm.keystore.core.internal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openkcm.keystore.api.CreateKeyRequest;
import org.openkcm.keystore.core.internal.cache.CacheSettings;
import org.openkcm.keystore.core.internal.cache.KeyCache;
import org.openkcm.keystore.core.internal.crypto.LocalRootKeyProvider;
import org.openkcm.keystore.inmemory.internal.InMemoryKeystore;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.spi.BackendHealth;
import org.openkcm.keystore.spi.BackendInfo;
import org.openkcm.keystore.spi.KeyRecord;
import org.openkcm.keystore.spi.Keystore;

/**
 * A create under a parent in a persistent (remote) backend re-reads the parent while the child is
 * stored, not before: one round trip less on the create's critical path. The re-read still decides:
 * a parent revoked or destroyed by another runtime (this one's cache still says ACTIVE) refuses the
 * child, and the child stored meanwhile is deleted again before the caller hears of it.
 */
class CreateParentCheckTest {
  @TempDir Path dir;

  private final InMemoryKeystore memory = new InMemoryKeystore("remote", 10_000);
  private final RemoteLike remote = new RemoteLike(memory);
  private LocalRootKeyProvider root;
  private CryptoKeyService core;
  private CryptoKeyService otherRuntime;

  @BeforeEach
  void start() {
    root = new LocalRootKeyProvider(dir.resolve("master.key"), name -> null);
    TestDirectory directory = new TestDirectory(remote);
    core = new CryptoKeyService(directory, root, new KeyCache(CacheSettings.defaults()));
    otherRuntime = new CryptoKeyService(directory, root, new KeyCache(CacheSettings.defaults()));
  }

  @AfterEach
  void stop() {
    core.close();
    otherRuntime.close();
    root.close();
    memory.close();
  }

  @Test
  void theParentIsReReadWhileTheChildIsStoredNotBeforeIt() throws Exception {
    KeyMetadata l2 = core.create(CreateKeyRequest.builder(KeyTier.L2, Owner.tenant("t")).build());
    core.create(l3Under(l2)); // the parent's active version and material are now cached

    remote.holdReadsOf(l2.ref());
    KeyMetadata l3 = core.create(l3Under(l2));

    // sequentially, the parent's re-read would wait in vain for a store that comes only after it
    assertThat(remote.parentReadsHeld.get()).isEqualTo(1);
    assertThat(remote.storeBeganWhileParentWasRead.get())
        .as("the child's store began while its parent was being re-read")
        .isTrue();
    assertThat(memory.retrieve(l3.ref()).metadata().parent()).contains(l2.ref());
    assertThat(core.metadata(l3.ref()).status()).isEqualTo(KeyStatus.ACTIVE);
  }

  @Test
  void aParentSuspendedByAnotherRuntimeRefusesTheChildAndLeavesNoRecord() throws Exception {
    KeyMetadata l2 = core.create(CreateKeyRequest.builder(KeyTier.L2, Owner.tenant("t")).build());
    core.create(l3Under(l2)); // this runtime's cache: the parent is ACTIVE
    otherRuntime.changeStatus(l2.ref(), KeyStatus.SUSPENDED);
    List<KeyRef> before = l3Records();
    int stores = remote.stores.get();
    remote.holdReadsOf(l2.ref()); // the store lands before the re-read answers

    assertThatThrownBy(() -> core.create(l3Under(l2)))
        .isInstanceOfSatisfying(
            InvalidKeyRequestException.class, e -> assertThat(e.field()).isEqualTo("parent"))
        .hasMessageContaining("SUSPENDED");

    // the child was stored while the parent was re-read, then deleted again
    assertThat(remote.storeBeganWhileParentWasRead.get()).isTrue();
    assertThat(remote.stores.get()).isEqualTo(stores + 1);
    assertThat(remote.deletes.get()).isEqualTo(1);
    assertThat(l3Records()).isEqualTo(before);
  }

  @Test
  void aParentDestroyedByAnotherRuntimeRefusesTheChildAndLeavesNoRecord() throws Exception {
    KeyMetadata l2 = core.create(CreateKeyRequest.builder(KeyTier.L2, Owner.tenant("t")).build());
    KeyMetadata first = core.create(l3Under(l2));
    otherRuntime.destroy(l2.id(), true);
    List<KeyRef> before = l3Records();
    assertThat(before).containsExactly(first.ref()); // its tombstone
    int deletes = remote.deletes.get();
    remote.holdReadsOf(l2.ref());

    assertThatThrownBy(() -> core.create(l3Under(l2)))
        .isInstanceOfSatisfying(
            InvalidKeyRequestException.class, e -> assertThat(e.field()).isEqualTo("parent"))
        .hasMessageContaining("DESTROYED");

    assertThat(remote.storeBeganWhileParentWasRead.get()).isTrue();
    assertThat(remote.deletes.get()).isEqualTo(deletes + 1);
    assertThat(l3Records()).isEqualTo(before);
  }

  private static CreateKeyRequest l3Under(KeyMetadata l2) throws KeystoreException {
    return CreateKeyRequest.builder(KeyTier.L3, Owner.service("svc")).parentId(l2.id()).build();
  }

  private List<KeyRef> l3Records() throws KeystoreException {
    return memory.list(KeyFilter.builder().tier(KeyTier.L3).pageSize(1000).build()).items().stream()
        .map(KeyMetadata::ref)
        .toList();
  }

  /**
   * The InMemory backend presented as a persistent one (as OpenBao or PostgreSQL are); it can hold
   * a parent's re-read until a store begins, or at most 10 s.
   */
  private static final class RemoteLike implements Keystore {
    private final Keystore delegate;
    private volatile KeyRef held;
    private volatile CountDownLatch storeBegan = new CountDownLatch(0);
    final AtomicInteger parentReadsHeld = new AtomicInteger();
    final AtomicBoolean storeBeganWhileParentWasRead = new AtomicBoolean();
    final AtomicInteger stores = new AtomicInteger();
    final AtomicInteger deletes = new AtomicInteger();

    RemoteLike(Keystore delegate) {
      this.delegate = delegate;
    }

    void holdReadsOf(KeyRef ref) {
      storeBegan = new CountDownLatch(1);
      held = ref;
    }

    @Override
    public BackendInfo info() {
      BackendInfo i = delegate.info();
      return new BackendInfo(i.name(), true, i.maxRecordBytes(), "remote-like " + i.description());
    }

    @Override
    public long store(KeyMetadata metadata, byte[] sealed) throws KeystoreException {
      stores.incrementAndGet();
      storeBegan.countDown();
      return delegate.store(metadata, sealed);
    }

    @Override
    public KeyRecord retrieve(KeyRef ref) throws KeystoreException {
      if (ref.equals(held)) {
        parentReadsHeld.incrementAndGet();
        try {
          if (storeBegan.await(10, TimeUnit.SECONDS)) {
            storeBeganWhileParentWasRead.set(true);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return delegate.retrieve(ref);
    }

    @Override
    public long updateMetadata(KeyMetadata updated, long expectedRevision)
        throws KeystoreException {
      return delegate.updateMetadata(updated, expectedRevision);
    }

    @Override
    public long replaceSealed(KeyMetadata updated, byte[] sealed, long expectedRevision)
        throws KeystoreException {
      return delegate.replaceSealed(updated, sealed, expectedRevision);
    }

    @Override
    public boolean delete(KeyRef ref) throws KeystoreException {
      deletes.incrementAndGet();
      return delegate.delete(ref);
    }

    @Override
    public Page<KeyMetadata> list(KeyFilter filter) throws KeystoreException {
      return delegate.list(filter);
    }

    @Override
    public BackendHealth health() {
      return delegate.health();
    }
  }
}
