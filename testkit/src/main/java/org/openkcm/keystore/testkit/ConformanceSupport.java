package org.openkcm.keystore.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.spi.Keystore;

/**
 * Set-up shared by the conformance suites: the backend under test, a record factory, a full
 * listing.
 */
public abstract class ConformanceSupport {

  protected Keystore keystore;
  protected Records records;

  /**
   * @return a ready backend under test; called before each test.
   */
  protected abstract Keystore createKeystore() throws Exception;

  /** Releases what {@link #createKeystore()} made; called after each test. */
  protected void disposeKeystore(Keystore k) throws Exception {}

  @BeforeEach
  void setUpKeystore() throws Exception {
    keystore = createKeystore();
    records = new Records();
  }

  @AfterEach
  void tearDownKeystore() throws Exception {
    disposeKeystore(keystore);
  }

  /** Reads every page of a listing, asserting order and the absence of repeats on the way. */
  protected List<KeyMetadata> list(KeyFilter filter) throws Exception {
    List<KeyMetadata> all = new ArrayList<>();
    KeyFilter page = filter;
    for (int guard = 0; guard < 10_000; guard++) {
      Page<KeyMetadata> p = keystore.list(page);
      assertThat(p.items().size()).isLessThanOrEqualTo(page.pageSize());
      all.addAll(p.items());
      Optional<String> next = p.nextCursor();
      if (next.isEmpty()) {
        break;
      }
      page = filter.withCursor(next.get());
    }
    for (int i = 1; i < all.size(); i++) {
      assertThat(all.get(i).ref())
          .as("ascending (id, version), no repeats")
          .isGreaterThan(all.get(i - 1).ref());
    }
    return all;
  }
}
