package org.openkcm.keystore.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.model.ConcurrentUpdateException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.spi.KeyRecord;

/**
 * Listing by every filter criterion, pagination, and concurrent writers: part of the conformance
 * kit.
 */
public abstract class KeystoreListingConformance extends ConformanceSupport {

  /**
   * A varied population: 3 owners x 3 tiers x 2 versions, statuses, algorithms, tags and expiries.
   */
  private List<KeyMetadata> populate() throws Exception {
    List<KeyMetadata> stored = new ArrayList<>();
    KeyStatus[] statuses = {KeyStatus.ACTIVE, KeyStatus.DEPRECATED, KeyStatus.PRE_ACTIVE};
    int n = 0;
    for (String tenant : List.of("alpha", "beta", "gamma")) {
      Owner owner = records.tenant(tenant);
      for (KeyTier tier : KeyTier.values()) {
        for (int version = 1; version <= 2; version++, n++) {
          KeyMetadata md =
              records
                  .metadata("k" + tenant + "-" + tier, version, tier, owner)
                  .status(statuses[n % 3])
                  .algorithm(n % 4 == 0 ? "HMAC-SHA256" : "AES")
                  .expiresAt(Instant.parse("2027-01-01T00:00:00Z").plusSeconds(86_400L * n))
                  .tag("region", n % 2 == 0 ? "eu" : "us")
                  .build();
          keystore.store(md, Records.sealed(40));
          stored.add(md);
        }
      }
    }
    // one key without expiry and without the region tag
    KeyMetadata bare =
        records.metadata("bare", 1, KeyTier.L4, records.tenant("alpha")).expiresAt(null).build();
    keystore.store(bare, Records.sealed(40));
    stored.add(bare);
    return stored;
  }

  @Test
  void everyFilterCriterionSelectsExactlyTheMatches() throws Exception {
    List<KeyMetadata> stored = populate();
    Owner beta = records.tenant("beta");
    Instant mid = Instant.parse("2027-01-01T00:00:00Z").plusSeconds(86_400L * 9);
    List<KeyFilter.Builder> filters =
        List.of(
            scoped(),
            scoped().owner(beta),
            scoped().tier(KeyTier.L3),
            scoped().owner(beta).tier(KeyTier.L4),
            scoped().status(KeyStatus.DEPRECATED),
            scoped().status(KeyStatus.ACTIVE).status(KeyStatus.PRE_ACTIVE),
            scoped().algorithm("HMAC-SHA256"),
            scoped().expiresBefore(mid),
            scoped().expiresAfter(mid),
            scoped().tag("region", "eu"),
            scoped().tag("region", "us").tag("suite", "conformance").tier(KeyTier.L2),
            scoped().keyId(records.id("kgamma-L3")),
            scoped().idPrefix(records.prefix() + "kalpha"),
            scoped().owner(records.tenant("nobody")));
    for (KeyFilter.Builder b : filters) {
      KeyFilter f = b.build();
      List<KeyRef> expected =
          stored.stream()
              .filter(f::matches)
              .map(KeyMetadata::ref)
              .sorted()
              .collect(Collectors.toList());
      assertThat(list(f).stream().map(KeyMetadata::ref).collect(Collectors.toList()))
          .as(f.toString())
          .isEqualTo(expected);
    }
  }

  /** A filter builder limited to this test's records (the backend may hold others). */
  private KeyFilter.Builder scoped() {
    return KeyFilter.builder().idPrefix(records.prefix());
  }

  @Test
  void listingReturnsMetadataEqualToWhatWasStored() throws Exception {
    List<KeyMetadata> stored = populate();
    List<KeyMetadata> listed = list(KeyFilter.builder().idPrefix(records.prefix()).build());
    assertThat(listed).containsExactlyInAnyOrderElementsOf(stored);
  }

  @Test
  void pagesNeitherSkipNorRepeatKeys() throws Exception {
    List<KeyMetadata> stored = populate();
    for (int size : new int[] {1, 4, 7, 19, 1000}) {
      List<KeyMetadata> listed =
          list(KeyFilter.builder().idPrefix(records.prefix()).pageSize(size).build());
      assertThat(listed).as("page size " + size).hasSize(stored.size());
    }
  }

  @Test
  void pagingSurvivesWritesBetweenPages() throws Exception {
    List<KeyMetadata> stored = populate();
    KeyFilter filter = KeyFilter.builder().idPrefix(records.prefix()).pageSize(5).build();
    Page<KeyMetadata> first = keystore.list(filter);
    assertThat(first.items()).hasSize(5);
    KeyRef lastSeen = first.items().get(4).ref();

    // delete one key not yet seen, add one after the cursor and one before it
    KeyMetadata unseen =
        stored.stream().filter(m -> m.ref().compareTo(lastSeen) > 0).findFirst().orElseThrow();
    keystore.delete(unseen.ref());
    KeyMetadata late = records.metadata("zz-late", 1, KeyTier.L4, records.tenant("alpha")).build();
    KeyMetadata early =
        records.metadata("aa-early", 1, KeyTier.L4, records.tenant("alpha")).build();
    keystore.store(late, Records.sealed(40));
    keystore.store(early, Records.sealed(40));

    List<KeyMetadata> rest = new ArrayList<>();
    Page<KeyMetadata> p = first;
    while (p.nextCursor().isPresent()) {
      p = keystore.list(filter.withCursor(p.nextCursor().get()));
      rest.addAll(p.items());
    }
    Set<KeyRef> restRefs = rest.stream().map(KeyMetadata::ref).collect(Collectors.toSet());
    assertThat(restRefs).doesNotContain(unseen.ref()).contains(late.ref());
    assertThat(restRefs)
        .as("no key of the first page repeats")
        .doesNotContainAnyElementsOf(
            first.items().stream().map(KeyMetadata::ref).collect(Collectors.toList()));
    assertThat(first.items().size() + rest.size()).isEqualTo(stored.size() - 1 + 1);
  }

  @Test
  void concurrentUpdatersLoseNoUpdate() throws Exception {
    KeyMetadata md = records.metadata("contended", 1, KeyTier.L3, records.tenant("acme")).build();
    keystore.store(md, Records.sealed(48));
    int writers = 4;
    int perWriter = 5;
    Set<String> conflicts = ConcurrentHashMap.newKeySet();
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < perWriter; i++) {
                    addTagWithRetry(md.ref(), "w" + writer + "-" + i, conflicts);
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    KeyRecord end = keystore.retrieve(md.ref());
    assertThat(end.metadata().tags().keySet())
        .as("every writer's tag survived")
        .hasSize(1 + writers * perWriter);
    assertThat(end.revision()).isGreaterThanOrEqualTo(1 + writers * perWriter);
  }

  private void addTagWithRetry(KeyRef ref, String tag, Set<String> conflicts) throws Exception {
    for (int attempt = 0; attempt < 1000; attempt++) {
      KeyRecord current = keystore.retrieve(ref);
      KeyMetadata next = current.metadata().toBuilder().tag(tag, "1").build();
      try {
        keystore.updateMetadata(next, current.revision());
        return;
      } catch (ConcurrentUpdateException e) {
        conflicts.add(tag);
      }
    }
    throw new AssertionError(
        "no progress for "
            + tag
            + " after 1000 attempts: "
            + Collections.unmodifiableSet(conflicts).size());
  }
}
