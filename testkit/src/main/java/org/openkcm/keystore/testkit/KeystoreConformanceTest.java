package org.openkcm.keystore.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.model.ConcurrentUpdateException;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyAlreadyExistsException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyNotFoundException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.spi.BackendState;
import org.openkcm.keystore.spi.KeyRecord;
import org.openkcm.keystore.spi.Keystore;

/**
 * The contract every {@link Keystore} backend must pass. A backend's test extends this class and
 * implements {@link #createKeystore()} (and {@link #disposeKeystore} if needed); the suite only
 * touches ids under its own random prefix, so a shared backend (one OpenBao mount) is fine.
 * Listing, pagination and concurrency tests live in the superclass {@link
 * KeystoreListingConformance} and run too.
 */
public abstract class KeystoreConformanceTest extends KeystoreLimitsConformance {

  @Test
  void reportsNameAndHealthUp() {
    assertThat(keystore.info().name()).isNotBlank();
    assertThat(keystore.info().maxRecordBytes()).isPositive();
    assertThat(keystore.health().state()).isEqualTo(BackendState.UP);
  }

  @Test
  void storesAndRetrievesEveryTier() throws Exception {
    Owner owner = records.tenant("acme");
    for (KeyTier tier : KeyTier.values()) {
      KeyMetadata md = records.metadata("rt-" + tier, 1, tier, owner).build();
      byte[] sealed = Records.sealed(48 + tier.ordinal());
      long rev = keystore.store(md, sealed);

      KeyRecord got = keystore.retrieve(md.ref());
      assertThat(got.metadata()).as(tier + " metadata").isEqualTo(md);
      assertThat(got.sealed()).as(tier + " sealed bytes").isEqualTo(sealed);
      assertThat(got.revision()).isEqualTo(rev).isPositive();
    }
  }

  @Test
  void versionsAreSeparateRecords() throws Exception {
    Owner owner = records.tenant("acme");
    KeyMetadata v1 = records.metadata("ver", 1, KeyTier.L3, owner).build();
    KeyMetadata v2 =
        records.metadata("ver", 2, KeyTier.L3, owner).status(KeyStatus.PRE_ACTIVE).build();
    byte[] s1 = Records.sealed(40);
    byte[] s2 = Records.sealed(41);
    keystore.store(v1, s1);
    keystore.store(v2, s2);

    assertThat(keystore.retrieve(v1.ref()).sealed()).isEqualTo(s1);
    assertThat(keystore.retrieve(v2.ref()).sealed()).isEqualTo(s2);
    assertThat(keystore.retrieve(v2.ref()).metadata().status()).isEqualTo(KeyStatus.PRE_ACTIVE);

    keystore.delete(v1.ref());
    assertThat(keystore.retrieve(v2.ref()).sealed()).as("deleting v1 leaves v2").isEqualTo(s2);
  }

  @Test
  void duplicateStoreIsRejectedAndKeepsTheOriginal() throws Exception {
    KeyMetadata md = records.metadata("dup", 1, KeyTier.L2, records.tenant("acme")).build();
    byte[] original = Records.sealed(32);
    keystore.store(md, original);

    KeyMetadata other = md.toBuilder().status(KeyStatus.RETIRED).build();
    assertThatThrownBy(() -> keystore.store(other, Records.sealed(32)))
        .isInstanceOf(KeyAlreadyExistsException.class)
        .satisfies(e -> assertThat(((KeyAlreadyExistsException) e).key()).contains(md.ref()));

    KeyRecord got = keystore.retrieve(md.ref());
    assertThat(got.sealed()).isEqualTo(original);
    assertThat(got.metadata().status()).isEqualTo(KeyStatus.ACTIVE);
  }

  @Test
  void missingKeysAreTypedNotFound() throws Exception {
    KeyRef missing = KeyRef.of(records.id("missing"), 3);
    assertThatThrownBy(() -> keystore.retrieve(missing)).isInstanceOf(KeyNotFoundException.class);
    KeyMetadata md = records.metadata("missing", 3, KeyTier.L4, records.tenant("acme")).build();
    assertThatThrownBy(() -> keystore.updateMetadata(md, 1))
        .isInstanceOf(KeyNotFoundException.class);
    assertThat(keystore.delete(missing)).isFalse();
  }

  @Test
  void metadataUpdateReplacesMutableFieldsAndBumpsRevision() throws Exception {
    KeyMetadata md = records.metadata("upd", 1, KeyTier.L3, records.tenant("acme")).build();
    byte[] sealed = Records.sealed(64);
    long rev = keystore.store(md, sealed);

    Instant later = Instant.parse("2030-06-01T12:00:00Z");
    KeyMetadata updated =
        md.toBuilder()
            .status(KeyStatus.DEPRECATED)
            .expiresAt(later)
            .tags(java.util.Map.of("region", "eu", "team", "payments"))
            .updatedAt(Instant.parse("2026-02-01T00:00:00Z"))
            .build();
    long rev2 = keystore.updateMetadata(updated, rev);

    // revisions count writes: the core binds its authentication of a record's state to this number
    assertThat(rev).as("a new record's revision").isEqualTo(1);
    assertThat(rev2).as("an update of revision r produces r + 1").isEqualTo(rev + 1);
    assertThat(keystore.updateMetadata(updated, rev2)).isEqualTo(rev2 + 1);
    rev2 = rev2 + 1;
    KeyRecord got = keystore.retrieve(md.ref());
    assertThat(got.metadata()).isEqualTo(updated);
    assertThat(got.revision()).isEqualTo(rev2);
    assertThat(got.sealed()).as("sealed bytes untouched by a metadata update").isEqualTo(sealed);
  }

  @Test
  void staleRevisionIsAConcurrentUpdateAndChangesNothing() throws Exception {
    KeyMetadata md = records.metadata("cas", 1, KeyTier.L4, records.tenant("acme")).build();
    long rev = keystore.store(md, Records.sealed(32));
    long rev2 = keystore.updateMetadata(md.toBuilder().status(KeyStatus.SUSPENDED).build(), rev);

    assertThatThrownBy(
            () -> keystore.updateMetadata(md.toBuilder().status(KeyStatus.RETIRED).build(), rev))
        .isInstanceOf(ConcurrentUpdateException.class);

    KeyRecord got = keystore.retrieve(md.ref());
    assertThat(got.metadata().status()).isEqualTo(KeyStatus.SUSPENDED);
    assertThat(got.revision()).isEqualTo(rev2);
  }

  @Test
  void replaceSealedSwapsBytesAndStateAtTheExpectedRevisionOrRefusesChangingNothing()
      throws Exception {
    KeyMetadata md = records.metadata("rewrap", 1, KeyTier.L2, records.tenant("acme")).build();
    byte[] sealed = Records.sealed(80);
    long rev = keystore.store(md, sealed);
    KeyMetadata updated = md.toBuilder().tags(java.util.Map.of("wrap", "v2")).build();
    byte[] next = Records.sealed(96);
    next[0] ^= 0x5a;
    long rev2;
    try {
      rev2 = keystore.replaceSealed(updated, next, rev);
    } catch (InvalidKeyRequestException unsupported) {
      // the SPI's default: the backend cannot replace sealed bytes; nothing may have changed
      assertThat(unsupported.field()).isEqualTo("sealed");
      KeyRecord got = keystore.retrieve(md.ref());
      assertThat(got.sealed()).isEqualTo(sealed);
      assertThat(got.metadata()).isEqualTo(md);
      assertThat(got.revision()).isEqualTo(rev);
      return;
    }
    assertThat(rev2).as("a replace of revision r produces r + 1").isEqualTo(rev + 1);
    KeyRecord got = keystore.retrieve(md.ref());
    assertThat(got.sealed()).isEqualTo(next);
    assertThat(got.metadata()).isEqualTo(updated);
    assertThat(got.revision()).isEqualTo(rev2);

    // at a stale revision, with another identity, or empty: refused, the record unchanged
    assertThatThrownBy(() -> keystore.replaceSealed(md, sealed, rev))
        .isInstanceOf(ConcurrentUpdateException.class);
    KeyMetadata otherOwner = updated.toBuilder().owner(records.tenant("mallory")).build();
    assertThatThrownBy(() -> keystore.replaceSealed(otherOwner, sealed, rev2))
        .isInstanceOf(InvalidKeyRequestException.class);
    assertThatThrownBy(() -> keystore.replaceSealed(updated, new byte[0], rev2))
        .isInstanceOf(InvalidKeyRequestException.class);
    KeyRecord after = keystore.retrieve(md.ref());
    assertThat(after.sealed()).isEqualTo(next);
    assertThat(after.metadata()).isEqualTo(updated);
    assertThat(after.revision()).isEqualTo(rev2);
    // a metadata update afterwards keeps the replaced bytes
    assertThat(keystore.updateMetadata(md, rev2)).isEqualTo(rev2 + 1);
    assertThat(keystore.retrieve(md.ref()).sealed()).isEqualTo(next);
    KeyMetadata missing =
        records.metadata("rewrap-missing", 1, KeyTier.L2, records.tenant("a")).build();
    assertThatThrownBy(() -> keystore.replaceSealed(missing, next, 1))
        .isInstanceOf(KeyNotFoundException.class);
  }

  @Test
  void identityFieldsCannotBeUpdated() throws Exception {
    KeyMetadata md = records.metadata("ident", 1, KeyTier.L3, records.tenant("acme")).build();
    long rev = keystore.store(md, Records.sealed(32));

    KeyMetadata otherOwner = md.toBuilder().owner(records.tenant("mallory")).build();
    assertThatThrownBy(() -> keystore.updateMetadata(otherOwner, rev))
        .isInstanceOf(InvalidKeyRequestException.class)
        .satisfies(e -> assertThat(((InvalidKeyRequestException) e).field()).isEqualTo("owner"));
    KeyMetadata otherParent = md.toBuilder().parent(KeyRef.of(records.id("elsewhere"), 1)).build();
    assertThatThrownBy(() -> keystore.updateMetadata(otherParent, rev))
        .isInstanceOf(InvalidKeyRequestException.class);

    assertThat(keystore.retrieve(md.ref()).metadata()).isEqualTo(md);
    assertThat(keystore.retrieve(md.ref()).revision()).isEqualTo(rev);
  }

  @Test
  void deleteShredsTheRecordAndIsIdempotent() throws Exception {
    KeyMetadata md = records.metadata("del", 1, KeyTier.L4, records.tenant("acme")).build();
    keystore.store(md, Records.sealed(32));

    assertThat(keystore.delete(md.ref())).isTrue();
    assertThatThrownBy(() -> keystore.retrieve(md.ref())).isInstanceOf(KeyNotFoundException.class);
    assertThat(list(KeyFilter.builder().idPrefix(records.prefix()).build())).isEmpty();
    assertThat(keystore.delete(md.ref())).isFalse();

    // the id is free again: a new record of the same ref can be stored
    byte[] again = Records.sealed(33);
    keystore.store(md, again);
    assertThat(keystore.retrieve(md.ref()).sealed()).isEqualTo(again);
  }

  @Test
  void emptyAndOversizedRecordsAreRejectedAndNothingIsStored() throws Exception {
    KeyMetadata md = records.metadata("size", 1, KeyTier.L4, records.tenant("acme")).build();
    assertThatThrownBy(() -> keystore.store(md, new byte[0]))
        .isInstanceOf(InvalidKeyRequestException.class);
    int max = keystore.info().maxRecordBytes();
    assertThatThrownBy(() -> keystore.store(md, Records.sealed(max + 1)))
        .isInstanceOf(InvalidKeyRequestException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\u0000"));
    assertThatThrownBy(() -> keystore.retrieve(md.ref())).isInstanceOf(KeyNotFoundException.class);
    assertThat(list(KeyFilter.builder().idPrefix(records.prefix()).build())).isEmpty();
  }

  @Test
  void smallestAndLargestRecordsRoundTrip() throws Exception {
    Owner owner = records.tenant("acme");
    KeyMetadata small = records.metadata("small", 1, KeyTier.L4, owner).build();
    KeyMetadata large = records.metadata("large", 1, KeyTier.L4, owner).build();
    byte[] one = {(byte) 0x80};
    byte[] max = Records.sealed(Math.min(keystore.info().maxRecordBytes(), 256 * 1024));
    keystore.store(small, one);
    keystore.store(large, max);
    assertThat(keystore.retrieve(small.ref()).sealed()).isEqualTo(one);
    assertThat(keystore.retrieve(large.ref()).sealed()).isEqualTo(max);
  }

  @Test
  void storedBytesAreACopyOfTheCallersArray() throws Exception {
    KeyMetadata md = records.metadata("copy", 1, KeyTier.L4, records.tenant("acme")).build();
    byte[] sealed = Records.sealed(32);
    byte[] expected = sealed.clone();
    keystore.store(md, sealed);
    java.util.Arrays.fill(sealed, (byte) 0);
    byte[] got = keystore.retrieve(md.ref()).sealed();
    assertThat(got).isEqualTo(expected);
    java.util.Arrays.fill(got, (byte) 1);
    assertThat(keystore.retrieve(md.ref()).sealed()).isEqualTo(expected);
  }
}
