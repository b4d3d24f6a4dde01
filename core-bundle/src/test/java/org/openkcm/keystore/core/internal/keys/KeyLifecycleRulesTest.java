package org.openkcm.keystore.core.internal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openkcm.keystore.api.CreateKeyRequest;
import org.openkcm.keystore.api.KeyHandle;
import org.openkcm.keystore.model.IntegrityException;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyNotFoundException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.spi.KeyRecord;

/** Each lifecycle rule of the KeyService, checked against what the real InMemory backend holds. */
class KeyLifecycleRulesTest {
  @TempDir Path dir;
  private CoreFixture f;
  private CryptoKeyService s;

  @BeforeEach
  void setUp() {
    f = new CoreFixture(dir);
    s = f.service;
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private static byte[] utf8(String t) {
    return t.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void createsTheChainWithParentsAndStoresVersionOne() throws Exception {
    KeyMetadata l2 = f.l2("acme");
    KeyMetadata l3 = f.child(KeyTier.L3, l2.id());
    KeyMetadata l4 = f.child(KeyTier.L4, l3.id());
    assertThat(l2.parent()).isEmpty();
    assertThat(l3.parent()).contains(l2.ref());
    assertThat(l4.parent()).contains(l3.ref());
    assertThat(l4.ref().version()).isEqualTo(1);
    assertThat(l4.id()).startsWith("l4-");
    assertThat(f.stored(l4.ref()).metadata()).isEqualTo(l4);
    assertThat(f.restart().metadata(l4.ref())).isEqualTo(l4);
    try (KeyHandle h = f.service.open(l4.ref())) {
      assertThat(h.copyMaterial()).hasSize(32);
    }
  }

  @Test
  void badRequestsAreRefusedNamingTheFieldAndStoreNothing() throws Exception {
    KeyMetadata l2 = f.l2("acme");
    KeyMetadata l3 = f.child(KeyTier.L3, l2.id());
    int before = f.memory.size();
    assertThatThrownBy(() -> f.child(KeyTier.L4, l2.id()))
        .isInstanceOf(InvalidKeyRequestException.class)
        .extracting(e -> ((InvalidKeyRequestException) e).field())
        .isEqualTo("parent");
    assertThatThrownBy(() -> f.child(KeyTier.L3, l3.id()))
        .hasMessageContaining("needs an L2 parent");
    assertThatThrownBy(() -> f.child(KeyTier.L3, "no-such-key"))
        .isInstanceOf(InvalidKeyRequestException.class);
    assertThatThrownBy(
            () -> s.create(CreateKeyRequest.builder(KeyTier.L2, Owner.service("x")).build()))
        .extracting(e -> ((InvalidKeyRequestException) e).field())
        .isEqualTo("owner");
    assertThatThrownBy(
            () ->
                s.create(
                    CreateKeyRequest.builder(KeyTier.L2, Owner.tenant("t"))
                        .algorithm("AES", 100)
                        .build()))
        .extracting(e -> ((InvalidKeyRequestException) e).field())
        .isEqualTo("keySize");
    assertThatThrownBy(
            () ->
                s.create(
                    CreateKeyRequest.builder(KeyTier.L2, Owner.tenant("t"))
                        .tag("openkcm.parent", "x")
                        .build()))
        .extracting(e -> ((InvalidKeyRequestException) e).field())
        .isEqualTo("tags");
    assertThatThrownBy(
            () ->
                s.create(
                    CreateKeyRequest.builder(KeyTier.L2, Owner.tenant("t")).keyId(l2.id()).build()))
        .isInstanceOf(org.openkcm.keystore.model.KeyAlreadyExistsException.class);
    assertThat(f.memory.size()).isEqualTo(before);
  }

  @Test
  void parentMustBeActive() throws Exception {
    KeyMetadata l2 = f.l2("acme");
    s.changeStatus(l2.ref(), KeyStatus.SUSPENDED);
    assertThatThrownBy(() -> f.child(KeyTier.L3, l2.id()))
        .isInstanceOf(InvalidKeyRequestException.class)
        .hasMessageContaining("ACTIVE");
    KeyMetadata pre =
        s.create(
            CreateKeyRequest.builder(KeyTier.L2, Owner.tenant("b"))
                .initialStatus(KeyStatus.PRE_ACTIVE)
                .build());
    assertThatThrownBy(() -> f.child(KeyTier.L3, pre.id()))
        .isInstanceOf(InvalidKeyRequestException.class);
    s.changeStatus(l2.ref(), KeyStatus.ACTIVE);
    assertThat(f.child(KeyTier.L3, l2.id()).parent()).contains(l2.ref());
  }

  @Test
  void openRefusesStatesThatMayNotProcessAndHandlesZeroizeOnClose() throws Exception {
    KeyMetadata pre =
        s.create(
            CreateKeyRequest.builder(KeyTier.L2, Owner.tenant("b"))
                .initialStatus(KeyStatus.PRE_ACTIVE)
                .build());
    assertThatThrownBy(() -> s.open(pre.ref()))
        .isInstanceOf(InvalidKeyRequestException.class)
        .hasMessageContaining("PRE_ACTIVE");
    KeyMetadata l2 = f.l2("acme");
    KeyHandle h = s.open(l2.ref());
    byte[] before = h.copyMaterial();
    h.close();
    assertThat(((OpenedKey) h).isClosed()).isTrue();
    assertThatThrownBy(h::copyMaterial)
        .isInstanceOf(InvalidKeyRequestException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> h.encrypt(new byte[1], null))
        .isInstanceOf(InvalidKeyRequestException.class);
    assertThat(h.toString()).contains(l2.ref().toString()).contains("closed");
    try (KeyHandle again = s.open(l2.ref())) {
      assertThat(again.copyMaterial())
          .isEqualTo(before); // closing a handle never wipes the cache's copy
    }
    assertThatThrownBy(() -> s.open(KeyRef.of("absent", 1)))
        .isInstanceOf(KeyNotFoundException.class);
  }

  @Test
  void encryptNamesTheVersionAndRotationKeepsOldDataReadable() throws Exception {
    KeyMetadata l2 = f.l2("acme");
    KeyMetadata l3 = f.child(KeyTier.L3, l2.id());
    byte[] c1 = s.encrypt(l3.id(), utf8("hello"), utf8("ctx"));
    assertThat(c1[4]).isEqualTo((byte) 1); // version 1 in the header
    KeyMetadata v2 = s.rotate(l3.id());
    assertThat(v2.ref()).isEqualTo(KeyRef.of(l3.id(), 2));
    assertThat(v2.status()).isEqualTo(KeyStatus.ACTIVE);
    assertThat(v2.tags())
        .doesNotContainKey(ReservedTags.SAGA)
        .containsEntry(ReservedTags.PARENT, l2.id());
    assertThat(f.stored(l3.ref()).metadata().status()).isEqualTo(KeyStatus.DEPRECATED);
    assertThat(f.stored(v2.ref()).metadata().status()).isEqualTo(KeyStatus.ACTIVE);
    byte[] c2 = s.encrypt(l3.id(), utf8("world"), null);
    assertThat(c2[4]).isEqualTo((byte) 2);
    assertThat(s.decrypt(l3.id(), c1, utf8("ctx"))).isEqualTo(utf8("hello"));
    assertThat(s.decrypt(l3.id(), c2, null)).isEqualTo(utf8("world"));
    assertThatThrownBy(() -> s.decrypt(l3.id(), c1, utf8("other")))
        .isInstanceOf(IntegrityException.class);
    try (KeyHandle old = s.open(l3.ref())) {
      assertThatThrownBy(() -> old.encrypt(utf8("x"), null)).hasMessageContaining("DEPRECATED");
    }
    assertThat(f.restart().decrypt(l3.id(), c1, utf8("ctx"))).isEqualTo(utf8("hello"));
  }

  @Test
  void childrenOfARotatedParentStayReadableAndNewOnesUseTheNewVersion() throws Exception {
    KeyMetadata l2 = f.l2("acme");
    KeyMetadata l3 = f.child(KeyTier.L3, l2.id());
    KeyMetadata l2v2 = s.rotate(l2.id());
    KeyMetadata l3b = f.child(KeyTier.L3, l2.id());
    assertThat(l3b.parent()).contains(l2v2.ref());
    KeyMetadata l3v2 = s.rotate(l3.id());
    assertThat(l3v2.parent()).contains(l2v2.ref());
    CryptoKeyService fresh = f.restart();
    try (KeyHandle h = fresh.open(l3.ref());
        KeyHandle h2 = fresh.open(l3v2.ref())) {
      assertThat(h.copyMaterial()).isNotEqualTo(h2.copyMaterial());
    }
  }

  @Test
  void statusMovesOnlyAlongLegalTransitions() throws Exception {
    KeyMetadata l2 = f.l2("acme");
    KeyRef ref = l2.ref();
    assertThatThrownBy(() -> s.changeStatus(ref, KeyStatus.DESTROYED))
        .isInstanceOf(InvalidKeyRequestException.class)
        .hasMessageContaining("ACTIVE to DESTROYED");
    assertThatThrownBy(() -> s.changeStatus(ref, KeyStatus.PENDING))
        .isInstanceOf(InvalidKeyRequestException.class);
    assertThat(f.stored(ref).metadata().status()).isEqualTo(KeyStatus.ACTIVE);
    assertThat(f.stored(ref).revision()).isEqualTo(1);
    assertThat(s.changeStatus(ref, KeyStatus.SUSPENDED).status()).isEqualTo(KeyStatus.SUSPENDED);
    assertThat(s.changeStatus(ref, KeyStatus.ACTIVE).status()).isEqualTo(KeyStatus.ACTIVE);
    s.changeStatus(ref, KeyStatus.DEPRECATED);
    assertThatThrownBy(() -> s.changeStatus(ref, KeyStatus.ACTIVE))
        .isInstanceOf(InvalidKeyRequestException.class);
    s.changeStatus(ref, KeyStatus.RETIRED);
    assertThat(f.stored(ref).metadata().status()).isEqualTo(KeyStatus.RETIRED);
    KeyMetadata destroyed = s.changeStatus(ref, KeyStatus.DESTROYED);
    assertThat(destroyed.status()).isEqualTo(KeyStatus.DESTROYED);
    assertThat(f.stored(ref).metadata().status()).isEqualTo(KeyStatus.DESTROYED);
    assertThat(
            org.openkcm.keystore.core.internal.crypto.EnvelopeSealer.isTombstone(
                f.stored(ref).sealed()))
        .isTrue();
    assertThatThrownBy(() -> s.open(ref)).isInstanceOf(InvalidKeyRequestException.class);
    assertThatThrownBy(() -> s.changeStatus(ref, KeyStatus.ACTIVE))
        .isInstanceOf(InvalidKeyRequestException.class);
  }

  @Test
  void aVersionThatWrapsLiveChildrenCannotBeDestroyed() throws Exception {
    KeyMetadata l2 = f.l2("acme");
    KeyMetadata l3 = f.child(KeyTier.L3, l2.id());
    s.changeStatus(l2.ref(), KeyStatus.COMPROMISED);
    assertThatThrownBy(() -> s.changeStatus(l2.ref(), KeyStatus.DESTROYED))
        .isInstanceOf(InvalidKeyRequestException.class)
        .hasMessageContaining(l3.id());
    assertThat(f.stored(l2.ref()).metadata().status()).isEqualTo(KeyStatus.COMPROMISED);
  }

  @Test
  void updateMetadataReplacesTagsAndExpiryButKeepsReservedTags() throws Exception {
    KeyMetadata l2 = f.l2("acme");
    KeyMetadata l3 = f.child(KeyTier.L3, l2.id());
    Instant exp = Instant.parse("2030-01-01T00:00:00Z");
    KeyMetadata u = s.updateMetadata(l3.ref(), Map.of("team", "blue"), exp);
    assertThat(u.tags()).containsEntry("team", "blue").containsEntry(ReservedTags.PARENT, l2.id());
    assertThat(u.expiresAt()).contains(exp);
    assertThat(f.stored(l3.ref()).metadata()).isEqualTo(u);
    assertThat(s.metadata(l3.ref())).isEqualTo(u);
    assertThatThrownBy(() -> s.updateMetadata(l3.ref(), Map.of("openkcm.saga", "x"), null))
        .isInstanceOf(InvalidKeyRequestException.class);
    assertThat(f.stored(l3.ref()).metadata()).isEqualTo(u);
  }

  @Test
  void destroyRefusesLiveChildrenUnlessCascading() throws Exception {
    KeyMetadata l2 = f.l2("acme");
    KeyMetadata l3 = f.child(KeyTier.L3, l2.id());
    KeyMetadata l4a = f.child(KeyTier.L4, l3.id());
    KeyMetadata l4b = f.child(KeyTier.L4, l3.id());
    s.rotate(l3.id());
    KeyMetadata other = f.l2("other");
    int held = f.memory.size();
    assertThatThrownBy(() -> s.destroy(l2.id(), false))
        .isInstanceOf(InvalidKeyRequestException.class)
        .hasMessageContaining("cascade");
    assertThatThrownBy(() -> s.destroy(l3.id(), false))
        .isInstanceOf(InvalidKeyRequestException.class);
    assertThat(f.memory.size()).isEqualTo(held);

    s.destroy(l4a.id(), false); // no children: fine
    assertTombstone(l4a.ref());

    s.destroy(l2.id(), true);
    for (KeyRef r : new KeyRef[] {l2.ref(), l3.ref(), KeyRef.of(l3.id(), 2), l4b.ref()}) {
      assertTombstone(r);
    }
    assertThat(f.everythingStored())
        .filteredOn(r -> r.metadata().status() != KeyStatus.DESTROYED)
        .extracting(r -> r.metadata().id())
        .containsExactly(other.id());
    s.destroy(l2.id(), true); // idempotent: only tombstones are left
    // a destroyed id is never reused
    assertThatThrownBy(
            () ->
                s.create(
                    org.openkcm.keystore.api.CreateKeyRequest.builder(
                            KeyTier.L2, Owner.tenant("acme"))
                        .keyId(l2.id())
                        .build()))
        .isInstanceOf(org.openkcm.keystore.model.KeyAlreadyExistsException.class);
  }

  /**
   * Destroyed: the record is a tombstone (status DESTROYED, no material) and the version opens for
   * nothing.
   */
  private void assertTombstone(KeyRef r) throws Exception {
    assertThat(f.stored(r).metadata().status()).isEqualTo(KeyStatus.DESTROYED);
    assertThat(
            org.openkcm.keystore.core.internal.crypto.EnvelopeSealer.isTombstone(
                f.stored(r).sealed()))
        .isTrue();
    assertThatThrownBy(() -> s.open(r))
        .isInstanceOf(InvalidKeyRequestException.class)
        .hasMessageContaining("DESTROYED");
  }

  @Test
  void listDelegatesToTheBackendsAndOpenActiveFindsTheNewestActive() throws Exception {
    KeyMetadata l2 = f.l2("acme");
    s.rotate(l2.id());
    KeyMetadata v3 = s.rotate(l2.id());
    assertThat(s.list(KeyFilter.builder().keyId(l2.id()).build()).items())
        .extracting(m -> m.status())
        .containsExactly(KeyStatus.DEPRECATED, KeyStatus.DEPRECATED, KeyStatus.ACTIVE);
    try (KeyHandle h = s.openActive(l2.id())) {
      assertThat(h.metadata().ref()).isEqualTo(v3.ref());
    }
    s.changeStatus(v3.ref(), KeyStatus.SUSPENDED);
    assertThatThrownBy(() -> s.openActive(l2.id())).isInstanceOf(InvalidKeyRequestException.class);
    assertThatThrownBy(() -> s.openActive("nope")).isInstanceOf(KeyNotFoundException.class);
  }

  /**
   * The one tag-limit policy: a multi-step operation's intent is never dropped and no caller tag is
   * evicted for it. A record without room for it (only one written outside the core's caller limits
   * can be so full) makes rotation and destroy alike refuse, before any write.
   */
  @Test
  void rotationAndDestroyRefuseARecordWithNoRoomForTheirIntentAndChangeNothing() throws Exception {
    KeyMetadata v1 = f.l2("acme");
    KeyMetadata v2 = s.rotate(v1.id());
    fillTags(v2.ref()); // 31 tags + the state tag: the limit of 32
    String before = storedState();

    assertThatThrownBy(() -> s.rotate(v1.id()))
        .isInstanceOfSatisfying(
            InvalidKeyRequestException.class,
            e -> {
              assertThat(e.field()).isEqualTo("tags");
              assertThat(e.getMessage()).contains(v2.ref().toString()).contains("no room");
            });
    assertThat(storedState()).as("a refused rotation writes nothing").isEqualTo(before);

    assertThatThrownBy(() -> s.destroy(v1.id(), false))
        .isInstanceOfSatisfying(
            InvalidKeyRequestException.class, e -> assertThat(e.field()).isEqualTo("tags"));
    assertThat(storedState())
        .as("a refused destroy marks no version, not even the one with room")
        .isEqualTo(before);

    KeyRecord full = f.stored(v2.ref());
    java.util.Map<String, String> fewer = new java.util.TreeMap<>(full.metadata().tags());
    fewer.remove("t00");
    fewer.remove("t01"); // within the caller limit again
    s.updateMetadata(v2.ref(), callerTags(fewer), null);
    s.destroy(v1.id(), false); // with tags removed there is room again
    assertTombstone(v1.ref());
    assertTombstone(v2.ref());
  }

  /** Writes tags up to the limit through the core's own state authentication. */
  private void fillTags(KeyRef ref) throws Exception {
    try (StateKeys keys = new StateKeys(f.root)) {
      AuthenticatedKeystore auth = new AuthenticatedKeystore(f.memory, keys);
      KeyRecord r = auth.retrieve(ref);
      java.util.Map<String, String> tags = new java.util.TreeMap<>(r.metadata().tags());
      for (int i = 0; tags.size() < org.openkcm.keystore.model.Limits.MAX_TAGS - 1; i++) {
        tags.put(String.format("t%02d", i), "v");
      }
      auth.updateMetadata(r.metadata().toBuilder().tags(tags).build(), r.revision());
    }
  }

  private static java.util.Map<String, String> callerTags(java.util.Map<String, String> tags) {
    java.util.Map<String, String> out = new java.util.TreeMap<>(tags);
    out.keySet().removeIf(k -> k.startsWith(ReservedTags.PREFIX));
    return out;
  }

  private String storedState() throws Exception {
    StringBuilder b = new StringBuilder();
    for (KeyRecord r : f.everythingStored()) {
      b.append(r.metadata()).append('@').append(r.revision()).append('\n');
    }
    return b.toString();
  }
}
