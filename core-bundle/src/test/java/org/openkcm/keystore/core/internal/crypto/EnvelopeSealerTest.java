package org.openkcm.keystore.core.internal.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.openkcm.keystore.testkit.PlaintextScan.indexOf;

import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openkcm.keystore.model.IntegrityException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Owner;

/** The sealed format binds the record to every identity field, and never carries plaintext. */
class EnvelopeSealerTest {
  @TempDir Path dir;
  private LocalRootKeyProvider root;
  private final byte[] parent = ThreadCrypto.randomBytes(32);
  private final byte[] material = ThreadCrypto.randomBytes(32);

  @BeforeEach
  void setUp() {
    root = new LocalRootKeyProvider(dir.resolve("master.key"), n -> null);
  }

  @AfterEach
  void tearDown() {
    root.close();
  }

  private static KeyMetadata.Builder l4() throws Exception {
    return KeyMetadata.builder()
        .ref(KeyRef.of("k1", 1))
        .tier(KeyTier.L4)
        .owner(Owner.service("svc"))
        .parent(KeyRef.of("p1", 2));
  }

  @Test
  void roundTripsUnderParentAndUnderRoot() throws Exception {
    KeyMetadata m = l4().build();
    byte[] sealed = EnvelopeSealer.sealUnderParent(m, material, parent);
    assertThat(EnvelopeSealer.open(m, sealed, parent, root, "b")).isEqualTo(material);
    assertThat(sealed[0]).isEqualTo((byte) 'O');
    assertThat(sealed[2]).isEqualTo(SealedFormat.V2);

    KeyMetadata l2 =
        KeyMetadata.builder()
            .ref(KeyRef.of("t1", 1))
            .tier(KeyTier.L2)
            .owner(Owner.tenant("acme"))
            .build();
    byte[] rootSealed = EnvelopeSealer.sealUnderRoot(l2, material, root);
    assertThat(EnvelopeSealer.open(l2, rootSealed, null, root, "b")).isEqualTo(material);
  }

  @Test
  void sealedBytesHoldNeitherMaterialNorParentKey() throws Exception {
    byte[] sealed = EnvelopeSealer.sealUnderParent(l4().build(), material, parent);
    assertThat(indexOf(sealed, material)).isEqualTo(-1);
    assertThat(indexOf(sealed, parent)).isEqualTo(-1);
    // two seals of the same material differ: fresh DEK and IVs each time
    assertThat(EnvelopeSealer.sealUnderParent(l4().build(), material, parent)).isNotEqualTo(sealed);
  }

  @Test
  void everyIdentityFieldIsBound() throws Exception {
    KeyMetadata m = l4().build();
    byte[] sealed = EnvelopeSealer.sealUnderParent(m, material, parent);
    KeyMetadata[] edited = {
      l4().ref(KeyRef.of("k2", 1)).build(),
      l4().ref(KeyRef.of("k1", 2)).build(),
      l4().tier(KeyTier.L3).build(),
      l4().owner(Owner.service("other")).build(),
      l4().owner(Owner.node("svc")).build(),
      l4().algorithm("AES-GCM-SIV").build(),
      l4().keySize(128).build(),
      l4().parent(KeyRef.of("p1", 1)).build(),
      l4().parent(KeyRef.of("p2", 2)).build(),
    };
    for (KeyMetadata e : edited) {
      assertThatThrownBy(() -> EnvelopeSealer.open(e, sealed, parent, root, "b"))
          .as(e.toString())
          .isInstanceOf(IntegrityException.class)
          .hasMessageContaining(e.ref().toString());
    }
    // mutable fields are not bound: a status or tag change keeps the record readable
    KeyMetadata retagged =
        m.toBuilder().tag("x", "y").status(org.openkcm.keystore.model.KeyStatus.DEPRECATED).build();
    assertThat(EnvelopeSealer.open(retagged, sealed, parent, root, "b")).isEqualTo(material);
  }

  @Test
  void anyFlippedBitOrWrongParentFailsAsIntegrity() throws Exception {
    KeyMetadata m = l4().build();
    byte[] sealed = EnvelopeSealer.sealUnderParent(m, material, parent);
    for (int i = 0; i < sealed.length; i++) {
      byte[] t = sealed.clone();
      t[i] ^= 1;
      assertThatThrownBy(() -> EnvelopeSealer.open(m, t, parent, root, "b"))
          .as("byte " + i)
          .isInstanceOf(IntegrityException.class);
    }
    assertThatThrownBy(
            () -> EnvelopeSealer.open(m, sealed, ThreadCrypto.randomBytes(32), root, "b"))
        .isInstanceOf(IntegrityException.class);
  }

  @Test
  void rootWrappedRecordBoundToIdentityToo() throws Exception {
    KeyMetadata l2 =
        KeyMetadata.builder()
            .ref(KeyRef.of("t1", 1))
            .tier(KeyTier.L2)
            .owner(Owner.tenant("acme"))
            .build();
    byte[] sealed = EnvelopeSealer.sealUnderRoot(l2, material, root);
    KeyMetadata moved = l2.toBuilder().ref(KeyRef.of("t2", 1)).build();
    assertThatThrownBy(() -> EnvelopeSealer.open(moved, sealed, null, root, "b"))
        .isInstanceOf(IntegrityException.class);
  }

  @Test
  void tombstonesAndUnknownFormatsAreRefused() throws Exception {
    KeyMetadata m = l4().build();
    assertThatThrownBy(() -> EnvelopeSealer.open(m, EnvelopeSealer.tombstone(), parent, root, "b"))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining("destroyed");
    byte[] future = EnvelopeSealer.sealUnderParent(m, material, parent);
    future[2] = 9;
    assertThatThrownBy(() -> EnvelopeSealer.open(m, future, parent, root, "b"))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining("format 9");
    assertThat(EnvelopeSealer.isTombstone(EnvelopeSealer.tombstone())).isTrue();
  }

  static UnaryOperator<String> noEnv() {
    return n -> null;
  }
}
