package org.openkcm.keystore.inmemory.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Field;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.model.CapacityExceededException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyNotFoundException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.spi.BackendState;
import org.openkcm.keystore.testkit.Records;

/** What is particular to the InMemory backend: its bound, zeroization, and index-driven listing. */
class InMemoryKeystoreTest {
  private final Records records = new Records();

  @Test
  void refusesStoresBeyondItsBoundAndKeepsWhatItHas() throws Exception {
    InMemoryKeystore store = new InMemoryKeystore("inmemory", 3);
    for (int i = 0; i < 3; i++) {
      store.store(
          records.metadata("k" + i, 1, KeyTier.L4, records.tenant("t")).build(),
          Records.sealed(16));
    }
    KeyMetadata fourth = records.metadata("k3", 1, KeyTier.L4, records.tenant("t")).build();
    assertThatThrownBy(() -> store.store(fourth, Records.sealed(16)))
        .isInstanceOf(CapacityExceededException.class)
        .hasMessageContaining("full");
    assertThat(store.size()).isEqualTo(3);
    assertThatThrownBy(() -> store.retrieve(fourth.ref())).isInstanceOf(KeyNotFoundException.class);
    assertThat(store.health().state()).isEqualTo(BackendState.DEGRADED);

    store.delete(KeyRef.of(records.id("k0"), 1));
    store.store(fourth, Records.sealed(16));
    assertThat(store.size()).isEqualTo(3);
  }

  @Test
  void zeroizesSealedBytesOnDeleteAndOnClose() throws Exception {
    InMemoryKeystore store = new InMemoryKeystore("inmemory", 10);
    KeyMetadata a = records.metadata("a", 1, KeyTier.L4, records.tenant("t")).build();
    KeyMetadata b = records.metadata("b", 1, KeyTier.L4, records.tenant("t")).build();
    store.store(a, Records.sealed(32));
    store.store(b, Records.sealed(32));
    byte[] heldA = heldBytes(store, a.ref());
    byte[] heldB = heldBytes(store, b.ref());

    store.delete(a.ref());
    assertThat(heldA).containsOnly(0);
    assertThat(heldB).as("other records untouched").isNotEqualTo(new byte[32]);

    store.close();
    assertThat(heldB).containsOnly(0);
    assertThat(store.size()).isZero();
  }

  @Test
  void listingByOwnerWalksOnlyThatOwnersIndex() throws Exception {
    InMemoryKeystore store = new InMemoryKeystore("inmemory", 100_000);
    for (int i = 0; i < 20_000; i++) {
      store.store(
          records.metadata("bulk" + i, 1, KeyTier.L4, records.tenant("big")).build(),
          Records.sealed(8));
    }
    KeyMetadata mine = records.metadata("zz-mine", 1, KeyTier.L2, records.tenant("small")).build();
    store.store(mine, Records.sealed(8));

    SecondaryIndex index = index(store);
    KeyFilter byOwner = KeyFilter.builder().owner(records.tenant("small")).build();
    assertThat(index.candidates(byOwner)).toIterable().containsExactly(mine.ref());
    assertThat(store.list(byOwner).items()).containsExactly(mine);
    KeyFilter byTier = KeyFilter.builder().tier(KeyTier.L2).build();
    assertThat(index.candidates(byTier)).toIterable().containsExactly(mine.ref());

    store.delete(mine.ref());
    assertThat(index.candidates(byOwner)).toIterable().isEmpty();
  }

  @org.junit.jupiter.api.Test
  void listingWithoutCriteriaMergesTheTiersInIdOrder() throws Exception {
    InMemoryKeystore store = new InMemoryKeystore("inmemory", 1000);
    KeyTier[] tiers = KeyTier.values();
    java.util.List<KeyRef> expected = new java.util.ArrayList<>();
    for (int i = 0; i < 60; i++) {
      KeyMetadata md =
          records
              .metadata(
                  String.format("m%02d", 59 - i),
                  1 + i % 2,
                  tiers[i % 3],
                  records.tenant("t" + i % 4))
              .build();
      store.store(md, Records.sealed(8));
      expected.add(md.ref());
    }
    java.util.Collections.sort(expected);
    java.util.List<KeyRef> listed = new java.util.ArrayList<>();
    KeyFilter filter = KeyFilter.builder().pageSize(7).build();
    org.openkcm.keystore.model.Page<KeyMetadata> page = store.list(filter);
    while (true) {
      page.items().forEach(m -> listed.add(m.ref()));
      if (page.nextCursor().isEmpty()) {
        break;
      }
      page = store.list(filter.withCursor(page.nextCursor().get()));
    }
    assertThat(listed).isEqualTo(expected);
  }

  @Test
  void aDeleteRacingARestoreNeverLeavesAnUnlistedRecord() throws Exception {
    InMemoryKeystore store = new InMemoryKeystore("inmemory", 1000);
    KeyMetadata md = records.metadata("racy", 1, KeyTier.L4, records.tenant("t")).build();
    KeyFilter all = KeyFilter.builder().build();
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 2000; round++) {
        java.util.concurrent.Future<?> a =
            pool.submit(
                () -> {
                  try {
                    store.store(md, Records.sealed(8));
                  } catch (org.openkcm.keystore.model.KeystoreException ignored) {
                    // already there: fine, the invariant below is what matters
                  }
                  return null;
                });
        java.util.concurrent.Future<?> b = pool.submit(() -> store.delete(md.ref()));
        a.get();
        b.get();
        boolean held = store.size() == 1;
        assertThat(store.list(all).items().size()).as("round " + round).isEqualTo(held ? 1 : 0);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void queuedIndexChangesListInOrderAcrossBatchesAndKeepNoDeletedRef() throws Exception {
    InMemoryKeystore store = new InMemoryKeystore("inmemory", 100_000);
    int n = 2 * SecondaryIndex.BATCH + 37; // two batches applied by stores, the rest by the listing
    java.util.TreeSet<KeyRef> expectedA = new java.util.TreeSet<>();
    java.util.TreeSet<KeyRef> expectedL3 = new java.util.TreeSet<>();
    java.util.Random random = new java.util.Random(7);
    for (int i = 0; i < n; i++) {
      boolean ownerA = i % 3 != 0;
      KeyTier tier = i % 5 == 0 ? KeyTier.L3 : KeyTier.L4;
      KeyMetadata md =
          records
              .metadata(
                  String.format("q%08x-%d", random.nextInt(), i),
                  1,
                  tier,
                  records.tenant(ownerA ? "a" : "b"))
              .build();
      store.store(md, Records.sealed(8));
      boolean gone = i % 7 == 0;
      if (gone) {
        store.delete(md.ref());
      }
      if (i % 14 == 0) { // deleted, then stored again: listed
        store.store(md, Records.sealed(8));
        gone = false;
      }
      if (!gone && ownerA) {
        expectedA.add(md.ref());
      }
      if (!gone && tier == KeyTier.L3) {
        expectedL3.add(md.ref());
      }
    }
    assertThat(refs(store, KeyFilter.builder().owner(records.tenant("a")).pageSize(333)))
        .containsExactlyElementsOf(expectedA);
    assertThat(refs(store, KeyFilter.builder().tier(KeyTier.L3).pageSize(100)))
        .containsExactlyElementsOf(expectedL3);
    SecondaryIndex index = index(store);
    int indexed = 0;
    for (java.util.Iterator<KeyRef> it = index.candidates(KeyFilter.builder().build());
        it.hasNext(); ) {
      it.next();
      indexed++;
    }
    assertThat(indexed).as("no ref of a deleted record stays indexed").isEqualTo(store.size());
  }

  @Test
  void deletedRefsAreDroppedFromTheIndexOnceTheyAreManyAndReStoresAreListedOnce() throws Exception {
    InMemoryKeystore store = new InMemoryKeystore("inmemory", 100_000);
    int n = 6 * SecondaryIndex.BATCH;
    java.util.List<KeyMetadata> all = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      KeyMetadata md =
          records.metadata(String.format("d%06d", i), 1, KeyTier.L4, records.tenant("a")).build();
      store.store(md, Records.sealed(8));
      all.add(md);
    }
    java.util.TreeSet<KeyRef> kept = new java.util.TreeSet<>();
    for (int i = 0; i < n; i++) {
      if (i % 6 == 0) {
        kept.add(all.get(i).ref());
      } else {
        store.delete(all.get(i).ref());
      }
    }
    // stored again after a delete, and again under another owner: each listed once, where it is now
    KeyMetadata again = all.get(1);
    store.store(again, Records.sealed(8));
    kept.add(again.ref());
    KeyMetadata moved = records.metadata("d000002", 1, KeyTier.L4, records.tenant("b")).build();
    store.store(moved, Records.sealed(8));

    assertThat(refs(store, KeyFilter.builder().owner(records.tenant("a")).pageSize(500)))
        .containsExactlyElementsOf(kept);
    assertThat(refs(store, KeyFilter.builder().owner(records.tenant("b"))))
        .containsExactly(moved.ref());
    java.util.TreeSet<KeyRef> everything = new java.util.TreeSet<>(kept);
    everything.add(moved.ref());
    assertThat(refs(store, KeyFilter.builder().tier(KeyTier.L4).pageSize(700)))
        .containsExactlyElementsOf(everything);
    int live = everything.size();
    // two indexes per ref (owner, tier); without compaction they would hold every ref ever stored
    assertThat(index(store).held())
        .as("stale refs are bounded by the live ones plus a batch per index")
        .isLessThanOrEqualTo(2 * 2 * live + 3 * SecondaryIndex.BATCH)
        .isLessThan(2 * n);
  }

  @Test
  void listingOrderIsTheRefOrderForIdsOfEveryLengthAndCharacter() throws Exception {
    // short ids, ids that agree in their first 16 characters, every id character, several versions:
    // the index's numeric sort keys must order exactly as KeyRef does
    InMemoryKeystore store = new InMemoryKeystore("inmemory", 100_000);
    String alphabet = "-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
    java.util.Random random = new java.util.Random(11);
    java.util.TreeSet<KeyRef> expected = new java.util.TreeSet<>();
    while (expected.size() < 3 * SecondaryIndex.BATCH) {
      StringBuilder id = new StringBuilder(random.nextBoolean() ? "same-prefix-16ch" : "");
      id.append(alphabet.charAt(random.nextInt(alphabet.length() - 2) + 2)); // a letter or digit
      for (int n = random.nextInt(20); n > 0; n--) {
        id.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      if (id.indexOf("..") >= 0) {
        continue;
      }
      KeyMetadata md =
          records
              .metadata(id.toString(), 1 + random.nextInt(3), KeyTier.L4, records.tenant("a"))
              .build();
      if (expected.add(md.ref())) {
        store.store(md, Records.sealed(8));
      }
    }
    assertThat(refs(store, KeyFilter.builder().pageSize(1000))).containsExactlyElementsOf(expected);
    assertThat(refs(store, KeyFilter.builder().owner(records.tenant("a")).pageSize(777)))
        .containsExactlyElementsOf(expected);
  }

  @Test
  void aListingStartedAfterAStoreReturnedFindsItWhileOthersStore() throws Exception {
    InMemoryKeystore store = new InMemoryKeystore("inmemory", 100_000);
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(3);
    try {
      java.util.List<java.util.concurrent.Future<Integer>> workers = new java.util.ArrayList<>();
      for (int w = 0; w < 3; w++) {
        int me = w;
        workers.add(
            pool.submit(
                () -> {
                  int missed = 0;
                  for (int i = 0; i < 3_000; i++) {
                    KeyMetadata md =
                        records
                            .metadata("w" + me + "-" + i, 1, KeyTier.L4, records.tenant("t" + me))
                            .build();
                    store.store(md, Records.sealed(8));
                    KeyFilter exact = KeyFilter.builder().keyId(md.id()).build();
                    if (store.list(exact).items().size() != 1) {
                      missed++;
                    }
                  }
                  return missed;
                }));
      }
      for (java.util.concurrent.Future<Integer> f : workers) {
        assertThat(f.get()).as("stores a listing right after them did not find").isZero();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static java.util.List<KeyRef> refs(InMemoryKeystore store, KeyFilter.Builder b)
      throws Exception {
    java.util.List<KeyRef> listed = new java.util.ArrayList<>();
    KeyFilter filter = b.build();
    org.openkcm.keystore.model.Page<KeyMetadata> page = store.list(filter);
    while (true) {
      page.items().forEach(m -> listed.add(m.ref()));
      if (page.nextCursor().isEmpty()) {
        return listed;
      }
      page = store.list(filter.withCursor(page.nextCursor().get()));
    }
  }

  @SuppressWarnings("unchecked")
  private static byte[] heldBytes(InMemoryKeystore store, KeyRef ref) throws Exception {
    Field f = InMemoryKeystore.class.getDeclaredField("records");
    f.setAccessible(true);
    Object entry = ((Map<KeyRef, ?>) f.get(store)).get(ref);
    return (byte[]) entry.getClass().getMethod("sealed").invoke(entry);
  }

  private static SecondaryIndex index(InMemoryKeystore store) throws Exception {
    Field f = InMemoryKeystore.class.getDeclaredField("index");
    f.setAccessible(true);
    return (SecondaryIndex) f.get(store);
  }
}
