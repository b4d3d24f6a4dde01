package org.openkcm.keystore.core.internal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openkcm.keystore.api.CreateKeyRequest;
import org.openkcm.keystore.api.KeyHandle;
import org.openkcm.keystore.core.internal.cache.CacheSettings;
import org.openkcm.keystore.core.internal.cache.KeyCache;
import org.openkcm.keystore.core.internal.crypto.LocalRootKeyProvider;
import org.openkcm.keystore.inmemory.internal.InMemoryKeystore;
import org.openkcm.keystore.model.IntegrityException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.spi.KeyRecord;
import org.openkcm.keystore.spi.RootKeyProvider;

/**
 * Past the revocation bound a cached key is read from its backend again; when the record is exactly
 * the one the cached material was unwrapped from, the entry is confirmed without unwrapping (and
 * without asking the root key provider) again, and when anything in it changed, it is unwrapped
 * (and checked) as on a first open.
 */
class RevalidationConfirmTest {
  private static final Duration BOUND = Duration.ofSeconds(5);

  @TempDir Path dir;
  private final AtomicLong now = new AtomicLong();
  private final AtomicInteger unwraps = new AtomicInteger();
  private InMemoryKeystore memory;
  private FaultyKeystore counting;
  private LocalRootKeyProvider root;
  private CryptoKeyService core;

  @BeforeEach
  void core() {
    memory = new InMemoryKeystore("inmemory", 1000);
    counting = new FaultyKeystore(memory);
    root = new LocalRootKeyProvider(dir.resolve("master.key"), n -> null);
    RootKeyProvider countingRoot = new CountingRoot(root, unwraps);
    CacheSettings settings = CacheSettings.defaults().withRevalidateAfter(BOUND);
    core =
        new CryptoKeyService(
            new TestDirectory(counting), countingRoot, new KeyCache(settings, now::get, false));
  }

  @AfterEach
  void close() {
    core.close();
    root.close();
    memory.close();
  }

  @Test
  void anUnchangedRecordPastTheBoundIsReadAgainButNotUnwrappedAgain() throws Exception {
    KeyMetadata l2 = core.create(CreateKeyRequest.builder(KeyTier.L2, Owner.tenant("t")).build());
    byte[] ciphertext = core.encrypt(l2.id(), bytes("x"), null);
    int reads = counting.retrieves.get();
    int unwrapped = unwraps.get();

    now.addAndGet(BOUND.toNanos() + 1);
    assertThat(core.decrypt(l2.id(), ciphertext, null)).isEqualTo(bytes("x"));
    assertThat(counting.retrieves.get()).as("state read again past the bound").isGreaterThan(reads);
    assertThat(unwraps.get()).as("material not unwrapped again").isEqualTo(unwrapped);

    // confirmed: within the new bound no further read
    int after = counting.retrieves.get();
    try (KeyHandle h = core.open(l2.ref())) {
      assertThat(h.metadata().id()).isEqualTo(l2.id());
    }
    assertThat(counting.retrieves.get()).isEqualTo(after);
  }

  @Test
  void aRecordWhoseSealedBytesChangedIsUnwrappedAgainAndRefused() throws Exception {
    KeyMetadata l2 = core.create(CreateKeyRequest.builder(KeyTier.L2, Owner.tenant("t")).build());
    KeyMetadata l3 =
        core.create(
            CreateKeyRequest.builder(KeyTier.L3, Owner.service("s")).parentId(l2.id()).build());
    core.open(l3.ref()).close();

    // an attacker with write access swaps the sealed bytes, keeping the (authenticated) state
    KeyRecord held = memory.retrieve(l3.ref());
    byte[] forged = held.sealed();
    forged[forged.length - 1] ^= 1;
    memory.replaceSealed(held.metadata(), forged, held.revision());

    now.addAndGet(BOUND.toNanos() + 1);
    assertThatThrownBy(() -> core.open(l3.ref())).isInstanceOf(KeystoreException.class);
    assertThatThrownBy(() -> core.encrypt(l3.id(), bytes("x"), null))
        .isInstanceOfAny(IntegrityException.class, KeystoreException.class);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Counts unwraps under the root key. */
  private record CountingRoot(RootKeyProvider delegate, AtomicInteger unwraps)
      implements RootKeyProvider {
    @Override
    public String name() {
      return delegate.name();
    }

    @Override
    public byte[] wrap(byte[] dek, byte[] aad) throws KeystoreException {
      return delegate.wrap(dek, aad);
    }

    @Override
    public byte[] unwrap(byte[] wrapped, byte[] aad) throws KeystoreException {
      unwraps.incrementAndGet();
      return delegate.unwrap(wrapped, aad);
    }

    @Override
    public byte[] deriveKey(String label) throws KeystoreException {
      return delegate.deriveKey(label);
    }

    @Override
    public org.openkcm.keystore.spi.BackendHealth health() {
      return delegate.health();
    }

    @Override
    public boolean needsRewrap(byte[] wrapped) {
      return delegate.needsRewrap(wrapped);
    }

    @Override
    public java.util.List<byte[]> derivePreviousKeys(String label) throws KeystoreException {
      return delegate.derivePreviousKeys(label);
    }
  }
}
