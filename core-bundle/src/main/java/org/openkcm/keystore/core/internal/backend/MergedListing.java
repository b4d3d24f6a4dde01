package org.openkcm.keystore.core.internal.backend;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.openkcm.keystore.model.BackendSealedException;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.spi.Keystore;

/**
 * One listing across several backends with one cursor. Each backend is asked for its first page
 * after the cursor; the first {@code pageSize} records of the union are among those, so merging the
 * sorted pages and taking {@code pageSize} is exact.
 *
 * <p>A record present in two backends (the copy window of a migration, or a migration stopped
 * between copy and delete) appears once: the copy of the backend earliest in lookup order is shown.
 * The migration verifies both copies are equal before it deletes the source, so which copy is shown
 * does not matter.
 */
final class MergedListing {

  private MergedListing() {}

  /** The strict listing: the first unreachable backend fails it. */
  static Page<KeyMetadata> list(List<? extends Keystore> backends, KeyFilter filter)
      throws KeystoreException {
    return list(backends, filter, false);
  }

  /**
   * With {@code partial}, a backend that is unavailable or sealed does not fail the listing: the
   * page holds what the others hold and names it ({@link Page#partial()}); only when no backend
   * answers does it fail. Without, the first unreachable backend fails it (what the core's own
   * decisions need: "no children", "no keys" must never be concluded from a partial view).
   */
  static Page<KeyMetadata> list(
      List<? extends Keystore> backends, KeyFilter filter, boolean partial)
      throws KeystoreException {
    List<Page<KeyMetadata>> pages = new ArrayList<>();
    List<String> unavailable = new ArrayList<>();
    KeystoreException firstDown = null;
    boolean more = false;
    for (Keystore k : backends) {
      Page<KeyMetadata> p;
      try {
        p = k.list(filter);
      } catch (BackendUnavailableException | BackendSealedException e) {
        if (!partial) {
          throw e;
        }
        unavailable.add(k.info().name());
        firstDown = firstDown == null ? e : firstDown;
        continue;
      }
      pages.add(p);
      unavailable.addAll(p.unavailableBackends());
      more |= p.nextCursor().isPresent();
    }
    if (pages.isEmpty() && firstDown != null) {
      throw firstDown;
    }
    Page<KeyMetadata> merged = filter.collectPage(new MergeIterator(pages));
    String cursor = merged.nextCursor().orElse(null);
    if (cursor == null
        && more
        && !merged.items().isEmpty()
        && merged.items().size() == filter.pageSize()) {
      // a backend has more after its page: the merged page is full, so continue after its last
      // record
      cursor = KeyFilter.cursorAfter(last(merged));
    }
    return new Page<>(merged.items(), cursor, unavailable);
  }

  private static KeyRef last(Page<KeyMetadata> page) {
    return page.items().get(page.items().size() - 1).ref();
  }

  /** Ascending merge of sorted pages, dropping repeats of an (id, version) already emitted. */
  private static final class MergeIterator implements Iterator<KeyMetadata> {
    private final List<Iterator<KeyMetadata>> sources = new ArrayList<>();
    private final List<KeyMetadata> heads = new ArrayList<>();
    private KeyRef lastEmitted;
    private KeyMetadata next;

    MergeIterator(List<Page<KeyMetadata>> pages) {
      for (Page<KeyMetadata> p : pages) {
        Iterator<KeyMetadata> it = p.items().iterator();
        sources.add(it);
        heads.add(it.hasNext() ? it.next() : null);
      }
      advance();
    }

    private void advance() {
      next = null;
      while (next == null) {
        int best = -1;
        for (int i = 0; i < heads.size(); i++) {
          KeyMetadata h = heads.get(i);
          if (h != null && (best < 0 || h.ref().compareTo(heads.get(best).ref()) < 0)) {
            best = i; // strict '<': on a tie the earlier backend wins
          }
        }
        if (best < 0) {
          return;
        }
        KeyMetadata candidate = heads.get(best);
        Iterator<KeyMetadata> it = sources.get(best);
        heads.set(best, it.hasNext() ? it.next() : null);
        if (lastEmitted == null || !lastEmitted.equals(candidate.ref())) {
          next = candidate;
          lastEmitted = candidate.ref();
        }
      }
    }

    @Override
    public boolean hasNext() {
      return next != null;
    }

    @Override
    public KeyMetadata next() {
      if (next == null) {
        throw new NoSuchElementException();
      }
      KeyMetadata out = next;
      advance();
      return out;
    }
  }
}
