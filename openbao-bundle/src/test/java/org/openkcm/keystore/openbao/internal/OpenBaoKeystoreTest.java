package org.openkcm.keystore.openbao.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.openkcm.keystore.openbao.internal.Fixtures.keystore;
import static org.openkcm.keystore.openbao.internal.Fixtures.l2;
import static org.openkcm.keystore.openbao.internal.Fixtures.meta;
import static org.openkcm.keystore.openbao.internal.Fixtures.sealed;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
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
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.openbao.testing.OpenBaoServer;
import org.openkcm.keystore.spi.BackendState;
import org.openkcm.keystore.spi.KeyRecord;

/**
 * The backend's own behaviour against a real dev-mode bao: records, CAS, delete, indexed listing.
 */
class OpenBaoKeystoreTest {
  private static OpenBaoServer bao;
  private OpenBaoKeystore ks;
  private String prefix;

  @BeforeAll
  static void startBao() {
    bao = OpenBaoServer.startDev();
  }

  @AfterAll
  static void stopBao() {
    bao.close();
  }

  @BeforeEach
  void open(TestInfo info) {
    prefix = "t/" + info.getTestMethod().orElseThrow().getName();
    ks = keystore(bao, prefix);
  }

  @AfterEach
  void close() {
    ks.deactivate();
  }

  @Test
  void storeThenRetrieveGivesTheSameBytesAndMetadataAtRevisionOne() throws Exception {
    KeyMetadata m = meta("k1", 3, KeyTier.L3, Owner.service("billing"));
    byte[] sealed = sealed(300);

    assertThat(ks.store(m, sealed)).isEqualTo(1);
    KeyRecord r = ks.retrieve(m.ref());

    assertThat(r.sealed()).isEqualTo(sealed);
    assertThat(r.metadata()).isEqualTo(m);
    assertThat(r.revision()).isEqualTo(1);
    assertThat(ks.health().state()).isEqualTo(BackendState.UP);
    assertThat(ks.info().persistent()).isTrue();
  }

  @Test
  void eachOperationPutsItsDocumentedRoundTripsOnTheCallersCriticalPath() throws Exception {
    KeyMetadata m = meta("k-rt", 1, KeyTier.L3, Owner.service("billing"));
    long requests = ks.requestCount();
    long trips = ks.roundTripCount();

    // store: the two index entries together, then the record together with its mirror
    ks.store(m, sealed(64));
    assertThat(ks.requestCount() - requests).isEqualTo(4);
    assertThat(ks.roundTripCount() - trips).isEqualTo(2);

    requests = ks.requestCount();
    trips = ks.roundTripCount();
    ks.retrieve(m.ref());
    assertThat(ks.requestCount() - requests).isEqualTo(1);
    assertThat(ks.roundTripCount() - trips).isEqualTo(1);

    // update: the read, then the CAS write together with its mirror
    requests = ks.requestCount();
    trips = ks.roundTripCount();
    ks.updateMetadata(m.toBuilder().status(KeyStatus.SUSPENDED).build(), 1);
    assertThat(ks.requestCount() - requests).isEqualTo(3);
    assertThat(ks.roundTripCount() - trips).isEqualTo(2);

    // delete: the read, the record, then both index entries together
    requests = ks.requestCount();
    trips = ks.roundTripCount();
    assertThat(ks.delete(m.ref())).isTrue();
    assertThat(ks.requestCount() - requests).isEqualTo(4);
    assertThat(ks.roundTripCount() - trips).isEqualTo(3);
  }

  @Test
  void aReadReportsTheServersWriteTimeOfTheVersionNotOneTheWriterSent() throws Exception {
    KeyMetadata m = meta("k-time", 1, KeyTier.L3, Owner.service("billing"));
    java.time.Instant before = java.time.Instant.now().minusSeconds(5);
    ks.store(m, sealed(40));
    KeyRecord first = ks.retrieve(m.ref());
    assertThat(first.writtenAt()).isPresent();
    assertThat(first.writtenAt().get())
        .isAfter(before)
        .isBefore(java.time.Instant.now().plusSeconds(5));
    // the writer claims a time a year ahead: the write time is OpenBao's created_time, not a field
    KeyMetadata claimed =
        m.toBuilder()
            .updatedAt(java.time.Instant.now().plus(java.time.Duration.ofDays(365)))
            .status(KeyStatus.DEPRECATED)
            .build();
    ks.updateMetadata(claimed, 1);
    KeyRecord second = ks.retrieve(m.ref());
    assertThat(second.revision()).isEqualTo(2);
    assertThat(second.writtenAt().get())
        .isAfterOrEqualTo(first.writtenAt().get())
        .isBefore(java.time.Instant.now().plusSeconds(5));
  }

  @Test
  void storingAnExistingKeyFailsAndLeavesTheStoredRecordUnchanged() throws Exception {
    KeyMetadata m = l2("dup", "acme");
    byte[] first = sealed(40);
    ks.store(m, first);

    assertThatThrownBy(() -> ks.store(l2("dup", "other-tenant"), sealed(40)))
        .isInstanceOf(KeyAlreadyExistsException.class)
        .hasMessageContaining("dup@1");

    KeyRecord r = ks.retrieve(m.ref());
    assertThat(r.sealed()).isEqualTo(first);
    assertThat(r.metadata().owner()).isEqualTo(Owner.tenant("acme"));
    // the loser's owner index entry was cleaned up: the other tenant lists nothing
    assertThat(ks.list(KeyFilter.builder().owner(Owner.tenant("other-tenant")).build()).items())
        .isEmpty();
    assertThat(
            bao.cli("kv", "list", "-mount=secret", prefix + "/ix/owner/tenant/other-tenant")
                .exitCode())
        .isNotZero();
  }

  @Test
  void updateUsesTheRevisionAsCheckAndSet() throws Exception {
    KeyMetadata m = l2("upd", "acme");
    byte[] sealed = sealed(64);
    ks.store(m, sealed);
    KeyMetadata deprecated =
        m.toBuilder().status(KeyStatus.DEPRECATED).tag("reason", "rotated").build();

    assertThat(ks.updateMetadata(deprecated, 1)).isEqualTo(2);
    assertThatThrownBy(() -> ks.updateMetadata(m.toBuilder().status(KeyStatus.RETIRED).build(), 1))
        .isInstanceOf(ConcurrentUpdateException.class);
    assertThatThrownBy(
            () -> ks.updateMetadata(deprecated.toBuilder().owner(Owner.tenant("evil")).build(), 2))
        .isInstanceOf(InvalidKeyRequestException.class)
        .hasMessageContaining("owner");

    KeyRecord r = ks.retrieve(m.ref());
    assertThat(r.revision()).isEqualTo(2);
    assertThat(r.metadata()).isEqualTo(deprecated);
    assertThat(r.sealed()).isEqualTo(sealed);
    assertThatThrownBy(() -> ks.updateMetadata(l2("missing", "acme"), 1))
        .isInstanceOf(KeyNotFoundException.class);
  }

  @Test
  void deleteDestroysEveryVersionAndTheIndexAndIsIdempotent() throws Exception {
    KeyMetadata m = l2("gone", "acme");
    ks.store(m, sealed(32));
    ks.updateMetadata(m.toBuilder().status(KeyStatus.RETIRED).build(), 1);

    assertThat(ks.delete(m.ref())).isTrue();
    assertThat(ks.delete(m.ref())).isFalse();

    assertThatThrownBy(() -> ks.retrieve(m.ref()))
        .isInstanceOf(KeyNotFoundException.class)
        .hasMessageContaining("gone@1");
    // no version and no metadata left in OpenBao, and no index entries
    assertThat(
            bao.cli("kv", "metadata", "get", "-mount=secret", prefix + "/keys/gone,0000000001")
                .exitCode())
        .isNotZero();
    assertThat(bao.cli("kv", "list", "-mount=secret", prefix + "/ix/owner/tenant/acme").exitCode())
        .isNotZero();
    assertThat(bao.cli("kv", "list", "-mount=secret", prefix + "/ix/tier/L2").exitCode())
        .isNotZero();
    assertThat(ks.list(KeyFilter.all()).items()).isEmpty();
  }

  @Test
  void listingByOwnerCostsRequestsInProportionToTheMatchesNotTheStore() throws Exception {
    for (int i = 0; i < 30; i++) {
      ks.store(l2(String.format("noise-%02d", i), "tenant-" + i), sealed(16));
    }
    for (int i = 0; i < 5; i++) {
      ks.store(l2("acme-" + i, "acme"), sealed(16));
    }
    long before = ks.requestCount();

    Page<KeyMetadata> page = ks.list(KeyFilter.builder().owner(Owner.tenant("acme")).build());

    assertThat(page.items())
        .extracting(KeyMetadata::id)
        .containsExactly("acme-0", "acme-1", "acme-2", "acme-3", "acme-4");
    // one LIST of the owner's index folder + one read per match; the 30 other keys cost nothing
    assertThat(ks.requestCount() - before).isEqualTo(1 + 5);
  }

  @Test
  void pagesWalkAllMatchesInAscendingIdVersionOrderWithoutGapsOrRepeats() throws Exception {
    List<KeyRef> expected = new ArrayList<>();
    for (String id : new String[] {"a", "a-b", "a.c", "b", "a_z"}) {
      for (int v : new int[] {1, 2, 10}) {
        KeyMetadata m = meta(id, v, KeyTier.L2, Owner.tenant("acme"));
        ks.store(m, sealed(8));
        expected.add(m.ref());
      }
    }
    ks.store(l2("zzz", "beta"), sealed(8));
    expected.sort(null);

    for (KeyFilter first :
        new KeyFilter[] {
          KeyFilter.builder().owner(Owner.tenant("acme")).pageSize(4).build(),
          KeyFilter.builder().tier(KeyTier.L2).pageSize(4).build(),
          KeyFilter.builder().pageSize(4).build()
        }) {
      List<KeyRef> seen = new ArrayList<>();
      KeyFilter f = first;
      while (true) {
        Page<KeyMetadata> p = ks.list(f);
        p.items().forEach(m -> seen.add(m.ref()));
        Optional<String> next = p.nextCursor();
        if (next.isEmpty()) {
          break;
        }
        assertThat(p.items()).hasSize(4);
        f = f.after(p.items().get(p.items().size() - 1).ref());
      }
      List<KeyRef> want = new ArrayList<>(expected);
      if (first.owner().isEmpty()) {
        want.add(KeyRef.of("zzz", 1));
      }
      assertThat(seen).as(first.toString()).containsExactlyElementsOf(want);
    }
  }

  @Test
  void keyIdAndIdPrefixFiltersWalkOnlyTheirRange() throws Exception {
    for (String id : new String[] {"app", "app-1", "apple", "b"}) {
      ks.store(meta(id, 1, KeyTier.L2, Owner.tenant("acme")), sealed(8));
      ks.store(meta(id, 2, KeyTier.L2, Owner.tenant("acme")), sealed(8));
    }
    long before = ks.requestCount();
    assertThat(ks.list(KeyFilter.builder().keyId("app").build()).items())
        .extracting(m -> m.ref().toString())
        .containsExactly("app@1", "app@2");
    // one LIST (stops at the first name outside the range) + two reads
    assertThat(ks.requestCount() - before).isEqualTo(3);
    assertThat(
            ks.list(KeyFilter.builder().idPrefix("app").status(KeyStatus.ACTIVE).build()).items())
        .extracting(m -> m.ref().toString())
        .containsExactly("app@1", "app@2", "app-1@1", "app-1@2", "apple@1", "apple@2");
  }

  @Test
  void indexEntriesWithoutARecordAreNeverListed() throws Exception {
    ks.store(l2("real", "acme"), sealed(8));
    // what a store that failed between index and record leaves behind
    bao.cliOk(
        "kv",
        "put",
        "-mount=secret",
        prefix + "/ix/owner/tenant/acme/half,0000000001",
        "key=half@1");
    bao.cliOk("kv", "put", "-mount=secret", prefix + "/ix/tier/L2/half,0000000001", "key=half@1");

    assertThat(ks.list(KeyFilter.builder().owner(Owner.tenant("acme")).build()).items())
        .extracting(KeyMetadata::id)
        .containsExactly("real");
    assertThat(ks.list(KeyFilter.builder().tier(KeyTier.L2).build()).items())
        .extracting(KeyMetadata::id)
        .containsExactly("real");
    assertThatThrownBy(() -> ks.retrieve(KeyRef.of("half", 1)))
        .isInstanceOf(KeyNotFoundException.class);
  }

  @Test
  void hostileEntryNamesNeitherBreakNorLoopAListing() throws Exception {
    for (String id : new String[] {"a", "b"}) {
      ks.store(meta(id, 1, KeyTier.L2, Owner.tenant("acme")), sealed(8));
    }
    ks.store(meta("a", 2, KeyTier.L2, Owner.tenant("acme")), sealed(8));
    // someone with write access drops names that would become query parameters if sent unencoded
    bao.cliOk(
        "kv", "put", "-mount=secret", prefix + "/keys/a,0000000001&limit=1000&after=zzz", "x=1");
    bao.cliOk("kv", "put", "-mount=secret", prefix + "/keys/a,0000000002=x#y", "x=1");

    List<String> seen = new ArrayList<>();
    KeyFilter f = KeyFilter.builder().pageSize(1).build();
    for (int guard = 0; guard < 20; guard++) {
      Page<KeyMetadata> p = ks.list(f);
      p.items().forEach(m -> seen.add(m.ref().toString()));
      if (p.nextCursor().isEmpty()) {
        break;
      }
      f = f.withCursor(p.nextCursor().get());
    }
    assertThat(seen).containsExactly("a@1", "a@2", "b@1");
  }

  @Test
  void badInputIsRejectedBeforeAnyRequest() throws Exception {
    for (String bad :
        new String[] {"../escape", "a/b", "..", "a\u0000b", "x".repeat(129), "", "%2e%2e"}) {
      assertThatThrownBy(() -> KeyRef.of(bad, 1)).isInstanceOf(InvalidKeyRequestException.class);
      assertThatThrownBy(() -> PathLayout.segment("keyId", bad))
          .isInstanceOf(InvalidKeyRequestException.class)
          .hasMessageContaining("keyId");
    }
    long before = ks.requestCount();
    assertThatThrownBy(() -> ks.store(l2("ok", "acme"), new byte[0]))
        .isInstanceOf(InvalidKeyRequestException.class)
        .hasMessageContaining("sealed");
    assertThatThrownBy(() -> ks.store(l2("ok", "acme"), sealed(65537)))
        .isInstanceOf(InvalidKeyRequestException.class);
    assertThatThrownBy(() -> KeyFilter.builder().keyId("../x").build())
        .isInstanceOf(InvalidKeyRequestException.class);
    assertThat(ks.requestCount()).isEqualTo(before);
    assertThatThrownBy(() -> ks.retrieve(KeyRef.of("ok", 1)))
        .isInstanceOf(KeyNotFoundException.class);
  }
}
