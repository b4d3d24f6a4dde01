package org.openkcm.keystore.core.internal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.openkcm.keystore.testkit.PlaintextScan.indexOf;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openkcm.keystore.api.KeyHandle;
import org.openkcm.keystore.model.IntegrityException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.spi.KeyRecord;

/**
 * Someone with write access to a backend swaps records between ids or edits identity metadata:
 * every such record fails to open with an IntegrityException, and the backend holds no plaintext at
 * all.
 */
class TamperDetectionTest {
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

  /**
   * Replaces a stored record with other sealed bytes and/or metadata, as a rogue backend admin
   * could.
   */
  private void overwrite(KeyMetadata m, byte[] sealed) throws Exception {
    f.memory.delete(m.ref());
    f.memory.store(m, sealed);
  }

  @Test
  void swappedRecordsFailToOpen() throws Exception {
    KeyMetadata l2 = f.l2("acme");
    KeyMetadata l3 = f.child(KeyTier.L3, l2.id());
    KeyMetadata a = f.child(KeyTier.L4, l3.id());
    KeyMetadata b = f.child(KeyTier.L4, l3.id());
    KeyRecord ra = f.stored(a.ref());
    KeyRecord rb = f.stored(b.ref());
    overwrite(a, rb.sealed());
    overwrite(b, ra.sealed());
    var s = f.restart(); // nothing cached: what a second node would read
    assertThatThrownBy(() -> s.open(a.ref()))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining(a.ref().toString());
    assertThatThrownBy(() -> s.open(b.ref()))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining(b.ref().toString());
    // the caller saw an integrity error; the backend still holds the swapped bytes, nothing was
    // "repaired" or lost
    assertThat(f.stored(a.ref()).sealed()).isEqualTo(rb.sealed());
    assertThat(f.stored(b.ref()).sealed()).isEqualTo(ra.sealed());
  }

  @Test
  void swappedL2RecordsFailToOpen() throws Exception {
    KeyMetadata a = f.l2("acme");
    KeyMetadata b = f.l2("acme");
    KeyRecord ra = f.stored(a.ref());
    overwrite(a, f.stored(b.ref()).sealed());
    overwrite(b, ra.sealed());
    var s = f.restart();
    assertThatThrownBy(() -> s.open(a.ref())).isInstanceOf(IntegrityException.class);
    assertThatThrownBy(() -> s.open(b.ref())).isInstanceOf(IntegrityException.class);
  }

  @Test
  void editedIdentityMetadataFailsToOpen() throws Exception {
    KeyMetadata l2 = f.l2("acme");
    KeyMetadata l3 = f.child(KeyTier.L3, l2.id());
    KeyMetadata l3v2 = f.service.rotate(l3.id());
    List<KeyMetadata> edits = new ArrayList<>();
    KeyMetadata l4 = f.child(KeyTier.L4, l3.id());
    edits.add(l4.toBuilder().owner(Owner.service("intruder")).build());
    edits.add(l4.toBuilder().keySize(128).build());
    edits.add(l4.toBuilder().algorithm("AES-X").build());
    edits.add(l4.toBuilder().parent(l3.ref()).build()); // l4 was wrapped by l3 v2; claim v1
    for (KeyMetadata edited : edits) {
      byte[] sealed = f.stored(l4.ref()).sealed();
      overwrite(edited, sealed);
      var s = f.restart();
      assertThatThrownBy(() -> s.open(l4.ref()))
          .as(edited.toString())
          .isInstanceOf(IntegrityException.class);
      assertThat(f.stored(l4.ref()).metadata()).isEqualTo(edited);
    }
    assertThat(l4.parent()).contains(l3v2.ref());
    KeyMetadata l2edit = l2.toBuilder().owner(Owner.tenant("evil")).build();
    overwrite(l2edit, f.stored(l2.ref()).sealed());
    var s = f.restart();
    assertThatThrownBy(() -> s.open(l2.ref())).isInstanceOf(IntegrityException.class);
    // the L3 under that L2 cannot be opened either: its parent fails first
    assertThatThrownBy(() -> s.open(l3.ref())).isInstanceOf(IntegrityException.class);
  }

  @Test
  void backendsHoldNoPlaintext() throws Exception {
    KeyMetadata l2 = f.l2("acme");
    KeyMetadata l3 = f.child(KeyTier.L3, l2.id());
    List<KeyRef> refs = new ArrayList<>(List.of(l2.ref(), l3.ref()));
    for (int i = 0; i < 20; i++) {
      refs.add(f.child(KeyTier.L4, l3.id()).ref());
    }
    refs.add(f.service.rotate(l3.id()).ref());
    byte[] secret = "a secret message".getBytes(StandardCharsets.UTF_8);
    byte[] ct = f.service.encrypt(l3.id(), secret, null);
    List<byte[]> materials = new ArrayList<>();
    for (KeyRef r : refs) {
      try (KeyHandle h = f.service.open(r)) {
        materials.add(h.copyMaterial());
      }
    }
    List<KeyRecord> stored = f.everythingStored();
    assertThat(stored).hasSize(refs.size());
    for (KeyRecord rec : stored) {
      String meta = rec.metadata().toString() + rec.toString();
      for (byte[] m : materials) {
        assertThat(indexOf(rec.sealed(), m)).isEqualTo(-1);
        assertThat(indexOf(rec.sealed(), java.util.Arrays.copyOf(m, 8)))
            .as("8-byte prefix")
            .isEqualTo(-1);
        assertThat(meta).doesNotContain(HexFormat.of().formatHex(m));
      }
      assertThat(indexOf(rec.sealed(), secret)).isEqualTo(-1);
    }
    assertThat(indexOf(ct, secret)).isEqualTo(-1);
  }
}
