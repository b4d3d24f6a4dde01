package org.openkcm.keystore.pkcs11.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyStore;
import java.security.Provider;
import java.security.Security;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.api.CreateKeyRequest;
import org.openkcm.keystore.api.KeyHandle;
import org.openkcm.keystore.core.internal.crypto.LocalRootKeyProvider;
import org.openkcm.keystore.core.internal.keys.CryptoKeyService;
import org.openkcm.keystore.core.internal.keys.RewrapCommand;
import org.openkcm.keystore.inmemory.internal.InMemoryKeystore;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.pkcs11.testing.SoftHsm;
import org.openkcm.keystore.spi.BackendHealth;
import org.openkcm.keystore.spi.BackendInfo;
import org.openkcm.keystore.spi.KeyRecord;
import org.openkcm.keystore.spi.Keystore;

/**
 * Rewrapping stored records onto the current root key, against a real SoftHSM2 token: after a
 * rotation (then the retired key version is deleted from the token), after a switch from the local
 * root key (then previousProvider is dropped), lazily on open, and with a concurrent writer.
 */
class Pkcs11RewrapTest {
  private final Pkcs11Fixture fx = new Pkcs11Fixture();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  private Pkcs11RootKeyProvider provider(Pkcs11Settings s, LocalRootKeyProvider previous) {
    Pkcs11RootKeyProvider p = fx.provider(s, n -> n.equals("local") ? previous : null);
    toClose.add(p::close);
    return p;
  }

  private CryptoKeyService core(Keystore store, org.openkcm.keystore.spi.RootKeyProvider root) {
    CryptoKeyService c = Pkcs11Fixture.core(store, root);
    toClose.add(c);
    return c;
  }

  private static byte[] material(CryptoKeyService core, KeyRef ref) throws KeystoreException {
    try (KeyHandle h = core.open(ref)) {
      return h.copyMaterial();
    }
  }

  /** L2, L3 and L4 of one tenant, with their materials as created. */
  private record Chain(List<KeyRef> refs, List<byte[]> materials) {}

  private static Chain chain(CryptoKeyService core, String tenant) throws KeystoreException {
    KeyMetadata l2 =
        core.create(CreateKeyRequest.builder(KeyTier.L2, Owner.tenant(tenant)).build());
    KeyMetadata l3 =
        core.create(
            CreateKeyRequest.builder(KeyTier.L3, Owner.service(tenant + "-svc"))
                .parentId(l2.id())
                .build());
    KeyMetadata l4 =
        core.create(
            CreateKeyRequest.builder(KeyTier.L4, Owner.service(tenant + "-svc"))
                .parentId(l3.id())
                .build());
    List<KeyRef> refs = List.of(l2.ref(), l3.ref(), l4.ref());
    List<byte[]> materials = new ArrayList<>();
    for (KeyRef r : refs) {
      materials.add(material(core, r));
    }
    return new Chain(refs, materials);
  }

  private static String label(Keystore store, KeyRef l2) throws KeystoreException {
    return WrappedDek.labelOf(Pkcs11Fixture.rootWrap(store.retrieve(l2).sealed()));
  }

  private static void assertAllOpen(CryptoKeyService core, List<Chain> chains)
      throws KeystoreException {
    for (Chain c : chains) {
      for (int i = 0; i < 3; i++) {
        assertThat(material(core, c.refs().get(i))).isEqualTo(c.materials().get(i));
      }
    }
  }

  private static void deleteTokenKey(SoftHsm hsm, String label) throws Exception {
    Provider p =
        Security.getProvider("SunPKCS11")
            .configure(TokenSession.config(hsm.freshModule().toString(), hsm.slot, 0, 9_001));
    KeyStore ks = KeyStore.getInstance("PKCS11", p);
    ks.load(null, SoftHsm.PIN.toCharArray());
    ks.deleteEntry(label);
    assertThat(ks.containsAlias(label)).isFalse();
  }

  @Test
  void afterRotationTheCommandMovesEveryL2ToTheNewLabelAndTheRetiredKeyCanBeDeleted()
      throws Exception {
    SoftHsm hsm = SoftHsm.create("ks-rewrap");
    Pkcs11RootKeyProvider root = provider(Pkcs11Fixture.settings(hsm, "root", true, ""), null);
    InMemoryKeystore store = Pkcs11Fixture.memory();
    CryptoKeyService core = core(store, root);
    List<Chain> chains = new ArrayList<>();
    chains.add(chain(core, "t1"));
    root.rotate();
    chains.add(chain(core, "t2"));
    root.rotate();
    chains.add(chain(core, "t3"));
    assertThat(label(store, chains.get(0).refs().get(0))).isEqualTo("root");
    assertThat(label(store, chains.get(1).refs().get(0))).isEqualTo("root-v2");

    RewrapCommand command = new RewrapCommand(core);
    assertThat(command.rewrap("--dry-run"))
        .contains("dry run, nothing written")
        .contains("rewrapped: would be 2 L2 records")
        .contains("re-authenticated: would be 0 records")
        .contains("already current: 7");
    assertThat(label(store, chains.get(0).refs().get(0))).as("dry run").isEqualTo("root");

    assertThat(command.rewrap())
        .contains("rewrapped: 2 L2 records")
        .contains("already current: 7")
        .contains("not moved: 0");
    for (Chain c : chains) {
      assertThat(label(store, c.refs().get(0))).isEqualTo("root-v3");
    }
    assertThat(command.rewrap()).contains("rewrapped: 0 L2 records").contains("current: 9");

    // the retired version leaves the token; a fresh runtime (own module) opens every tier
    deleteTokenKey(hsm, "root-v2");
    Pkcs11RootKeyProvider fresh =
        provider(Pkcs11Fixture.settings(hsm.freshModule(), hsm, "root", false, ""), null);
    assertThat(fresh.keyLabels()).containsExactly("root", "root-v3");
    assertAllOpen(core(store, fresh), chains);
  }

  @Test
  void anL2WrappedUnderARetiredVersionIsRewrappedWhenOpened() throws Exception {
    SoftHsm hsm = SoftHsm.create("ks-lazy");
    Pkcs11RootKeyProvider root = provider(Pkcs11Fixture.settings(hsm, "root", true, ""), null);
    InMemoryKeystore store = Pkcs11Fixture.memory();
    Chain c = chain(core(store, root), "lazy");
    root.rotate();
    KeyRef l2 = c.refs().get(0);
    long before = store.retrieve(l2).revision();

    // a fresh core (empty caches) opens the L4: its chain resolves the L2 from the backend
    CryptoKeyService opener = core(store, root);
    assertThat(material(opener, c.refs().get(2))).isEqualTo(c.materials().get(2));
    assertThat(label(store, l2)).isEqualTo("root-v2");
    assertThat(store.retrieve(l2).revision()).isEqualTo(before + 1);
    // the rewritten record's state verifies and it opens, also on another fresh runtime
    assertAllOpen(core(store, root), List.of(c));
  }

  @Test
  void aConcurrentUpdateDuringTheRewrapWinsAndTheRecordIsStillRewrapped() throws Exception {
    SoftHsm hsm = SoftHsm.create("ks-race");
    Pkcs11RootKeyProvider root = provider(Pkcs11Fixture.settings(hsm, "root", true, ""), null);
    InMemoryKeystore memory = Pkcs11Fixture.memory();
    RacingStore store = new RacingStore(memory);
    CryptoKeyService core = core(store, root);
    Chain c = chain(core, "race");
    KeyRef l2 = c.refs().get(0);
    root.rotate();
    CryptoKeyService writer = core(store, root);
    // just before the rewrap's conditional write, another writer changes the record
    store.beforeReplace =
        () -> writer.updateMetadata(l2, Map.of("owner-note", "changed-during-rewrap"), null);

    assertThat(new RewrapCommand(core).rewrap())
        .contains("rewrapped: 1 L2 records")
        .contains("not moved: 0");
    assertThat(store.replaceCalls).isEqualTo(2); // the first lost to the writer, then re-read
    KeyRecord r = memory.retrieve(l2);
    assertThat(r.metadata().tags()).containsEntry("owner-note", "changed-during-rewrap");
    assertThat(label(memory, l2)).isEqualTo("root-v2");
    CryptoKeyService fresh = core(memory, root);
    assertThat(fresh.metadata(l2).tags()).containsEntry("owner-note", "changed-during-rewrap");
    assertAllOpen(fresh, List.of(c));
  }

  @Test
  void aRewrapFailingHalfWayLeavesEveryRecordOpenableAndARerunFinishesIt() throws Exception {
    SoftHsm hsm = SoftHsm.create("ks-halfway");
    Pkcs11RootKeyProvider root = provider(Pkcs11Fixture.settings(hsm, "root", true, ""), null);
    InMemoryKeystore memory = Pkcs11Fixture.memory();
    RacingStore store = new RacingStore(memory);
    CryptoKeyService core = core(store, root);
    List<Chain> chains = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      chains.add(chain(core, "h" + i));
    }
    root.rotate();
    store.failAfter = 2; // the backend fails from the third conditional write on

    assertThat(new RewrapCommand(core).rewrap())
        .contains("rewrapped: 2 L2 records")
        .contains("not moved: 2")
        .contains("injected outage");
    long moved =
        chains.stream()
            .filter(c -> "root-v2".equals(labelQuietly(memory, c.refs().get(0))))
            .count();
    assertThat(moved).isEqualTo(2);
    // old and new wraps side by side all open; the lazy rewrap on these opens fails too (the
    // outage goes on) and changes nothing
    assertAllOpen(core(store, root), chains);
    assertThat(
            chains.stream()
                .filter(c -> "root-v2".equals(labelQuietly(memory, c.refs().get(0))))
                .count())
        .isEqualTo(2);

    store.failAfter = Integer.MAX_VALUE;
    assertThat(new RewrapCommand(core).rewrap())
        .contains("rewrapped: 2 L2 records")
        .contains("not moved: 0");
    for (Chain c : chains) {
      assertThat(label(memory, c.refs().get(0))).isEqualTo("root-v2");
    }
    assertAllOpen(core(memory, root), chains);
  }

  private static String labelQuietly(Keystore store, KeyRef l2) {
    try {
      return label(store, l2);
    } catch (KeystoreException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aRuntimeSwitchedFromLocalRewrapsThenDropsPreviousProviderAndEveryTierStillOpens()
      throws Exception {
    String masterKey =
        Base64.getEncoder().encodeToString(new java.security.SecureRandom().generateSeed(32));
    LocalRootKeyProvider local = new LocalRootKeyProvider(Pkcs11Fixture.unused(), n -> masterKey);
    toClose.add(local::close);
    InMemoryKeystore store = Pkcs11Fixture.memory();
    CryptoKeyService before = Pkcs11Fixture.core(store, local);
    List<Chain> chains = new ArrayList<>(List.of(chain(before, "a"), chain(before, "b")));
    before.close();

    SoftHsm hsm = SoftHsm.create("ks-switch");
    Pkcs11RootKeyProvider switched =
        provider(Pkcs11Fixture.settings(hsm, "root", true, "local"), local);
    CryptoKeyService core = core(store, switched);
    chains.add(chain(core, "c")); // made after the switch: wrapped and authenticated by the token
    RewrapCommand command = new RewrapCommand(core);
    assertThat(command.rewrap("--dry-run"))
        .contains("rewrapped: would be 2 L2 records")
        .contains("re-authenticated: would be 4 records")
        .contains("already current: 3");
    assertThat(command.rewrap())
        .contains("rewrapped: 2 L2 records")
        .contains("re-authenticated: 4 records")
        .contains("not moved: 0");
    assertThat(label(store, chains.get(0).refs().get(0))).isEqualTo("root");

    // previousProvider removed and the local master key gone: a fresh runtime opens everything
    Pkcs11RootKeyProvider strict =
        provider(Pkcs11Fixture.settings(hsm.freshModule(), hsm, "root", false, ""), null);
    CryptoKeyService after = core(store, strict);
    assertAllOpen(after, chains);
    assertThat(new RewrapCommand(after).rewrap()).contains("already current: 9");
    assertThat(store.list(KeyFilter.all()).items()).hasSize(9);
  }

  /** Delegates to a real backend; runs a hook once just before the first replaceSealed. */
  private static final class RacingStore implements Keystore {
    private final Keystore delegate;
    private final AtomicBoolean fired = new AtomicBoolean();
    volatile Hook beforeReplace;
    volatile int replaceCalls;
    volatile int failAfter = Integer.MAX_VALUE;

    interface Hook {
      void run() throws KeystoreException;
    }

    RacingStore(Keystore delegate) {
      this.delegate = delegate;
    }

    @Override
    public long replaceSealed(KeyMetadata updated, byte[] sealed, long expectedRevision)
        throws KeystoreException {
      if (++replaceCalls > failAfter) {
        throw new org.openkcm.keystore.model.BackendUnavailableException(
            "inmemory", "injected outage", null);
      }
      if (beforeReplace != null && fired.compareAndSet(false, true)) {
        beforeReplace.run();
      }
      return delegate.replaceSealed(updated, sealed, expectedRevision);
    }

    @Override
    public BackendInfo info() {
      return delegate.info();
    }

    @Override
    public long store(KeyMetadata metadata, byte[] sealed) throws KeystoreException {
      return delegate.store(metadata, sealed);
    }

    @Override
    public KeyRecord retrieve(KeyRef ref) throws KeystoreException {
      return delegate.retrieve(ref);
    }

    @Override
    public long updateMetadata(KeyMetadata updated, long expectedRevision)
        throws KeystoreException {
      return delegate.updateMetadata(updated, expectedRevision);
    }

    @Override
    public boolean delete(KeyRef ref) throws KeystoreException {
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
