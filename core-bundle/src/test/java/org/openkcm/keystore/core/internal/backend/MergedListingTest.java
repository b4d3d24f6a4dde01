package org.openkcm.keystore.core.internal.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.core.internal.support.Keys;
import org.openkcm.keystore.inmemory.internal.InMemoryKeystore;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Page;

class MergedListingTest {

  @Test
  void pagesAcrossBackendsInIdOrderWithOneCursorAndShowsARecordHeldTwiceOnce() throws Exception {
    InMemoryKeystore a = new InMemoryKeystore("a", 100);
    InMemoryKeystore b = new InMemoryKeystore("b", 100);
    for (int i = 0; i < 25; i++) {
      KeyMetadata m = Keys.key(String.format("k%02d", i), KeyTier.L2, "tenant:acme");
      (i % 3 == 0 ? a : b).store(m, new byte[] {1});
      if (i % 5 == 0) {
        (i % 3 == 0 ? b : a).store(m, new byte[] {1}); // the copy window of a migration
      }
    }
    List<String> seen = new ArrayList<>();
    KeyFilter f = KeyFilter.builder().pageSize(4).build();
    int pages = 0;
    while (true) {
      Page<KeyMetadata> p = MergedListing.list(List.of(a, b), f);
      p.items().forEach(m -> seen.add(m.id()));
      pages++;
      if (p.nextCursor().isEmpty()) {
        break;
      }
      f = KeyFilter.builder().pageSize(4).cursor(p.nextCursor().get()).build();
    }
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      expected.add(String.format("k%02d", i));
    }
    assertThat(seen).containsExactlyElementsOf(expected);
    assertThat(pages).isEqualTo(7);
  }

  @Test
  void filtersArePushedToEveryBackend() throws Exception {
    InMemoryKeystore a = new InMemoryKeystore("a", 100);
    InMemoryKeystore b = new InMemoryKeystore("b", 100);
    a.store(Keys.key("x1", KeyTier.L3, "tenant:eu-1", "region", "eu"), new byte[] {1});
    b.store(Keys.key("x2", KeyTier.L3, "tenant:eu-2", "region", "eu"), new byte[] {1});
    b.store(Keys.key("x3", KeyTier.L3, "tenant:us-1", "region", "us"), new byte[] {1});
    a.store(Keys.key("x4", KeyTier.L4, "tenant:eu-1", "region", "eu"), new byte[] {1});
    Page<KeyMetadata> p =
        MergedListing.list(
            List.of(a, b), KeyFilter.builder().tier(KeyTier.L3).tag("region", "eu").build());
    assertThat(p.items()).extracting(KeyMetadata::id).containsExactly("x1", "x2");
    assertThat(p.nextCursor()).isEmpty();
  }
}
