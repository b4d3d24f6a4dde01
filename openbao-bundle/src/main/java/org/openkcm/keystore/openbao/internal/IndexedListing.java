package org.openkcm.keystore.openbao.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.openkcm.keystore.model.IntegrityException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Page;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lists through the narrowest folder the filter allows (owner index, else tier index, else the
 * records folder), starting right after the cursor and the id range, and reads only the records it
 * walks past, lazily, until {@link KeyFilter#collectPage} has a full page and knows whether more
 * follow. An index entry whose record is missing (a store or delete that failed half-way) is
 * skipped, so a listing never returns a key that retrieve cannot find; the record's own metadata
 * decides the match.
 */
final class IndexedListing {
  private static final Logger LOG = LoggerFactory.getLogger(IndexedListing.class);
  private final KvStore kv;
  private final PathLayout layout;
  private final String backend;

  IndexedListing(KvStore kv, PathLayout layout, String backend) {
    this.kv = kv;
    this.layout = layout;
    this.backend = backend;
  }

  Page<KeyMetadata> list(KeyFilter filter) throws KeystoreException {
    String folder =
        filter.owner().isPresent()
            ? layout.ownerFolder(filter.owner().get())
            : filter.tier().isPresent()
                ? layout.tierFolder(filter.tier().get())
                : layout.keysFolder();
    String rangeStart = filter.keyId().map(id -> id).orElse(filter.idPrefix().orElse(null));
    if (rangeStart != null) {
      PathLayout.segment("keyId", rangeStart);
    }
    String range = filter.keyId().map(id -> id + PathLayout.SEPARATOR).orElse(rangeStart);
    String after = rangeStart;
    if (filter.after().isPresent()) {
      String cursor = PathLayout.entryName(filter.after().get());
      after = after == null || cursor.compareTo(after) > 0 ? cursor : after;
    }
    Walk walk = new Walk(folder, after, range, Math.min(1000, filter.pageSize() + 1));
    try {
      return filter.collectPage(walk);
    } catch (Failure f) {
      throw f.failure;
    }
  }

  /** Lazy ascending walk over one folder; stops at the end of the folder or of the id range. */
  private final class Walk implements Iterator<KeyMetadata> {
    private final String folder;
    private final String range;
    private final int chunk;
    private final Deque<String> names = new ArrayDeque<>();
    private String after;
    private boolean exhausted;
    private KeyMetadata next;

    Walk(String folder, String after, String range, int chunk) {
      this.folder = folder;
      this.after = after;
      this.range = range;
      this.chunk = chunk;
    }

    @Override
    public boolean hasNext() {
      try {
        while (next == null && (!names.isEmpty() || !exhausted)) {
          if (names.isEmpty()) {
            fetch();
            continue;
          }
          next = load(names.poll());
        }
        return next != null;
      } catch (KeystoreException e) {
        throw new Failure(e);
      }
    }

    @Override
    public KeyMetadata next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      KeyMetadata m = next;
      next = null;
      return m;
    }

    private void fetch() throws KeystoreException {
      List<String> page = kv.list(folder, after, chunk, null);
      exhausted = page.size() < chunk;
      for (String name : page) {
        after = name;
        if (range != null && !name.startsWith(range)) {
          exhausted = true;
          return;
        }
        names.add(name);
      }
    }

    private KeyMetadata load(String name) throws KeystoreException {
      KeyRef ref = PathLayout.parseEntry(name);
      if (ref == null) {
        return null;
      }
      KvEntry e = kv.read(layout.record(ref), ref);
      if (e == null) {
        return null;
      }
      try {
        return RecordCodec.metadata(e, ref, backend);
      } catch (IntegrityException foreign) {
        // one hand-edited record must not break every listing; retrieve still reports it
        LOG.warn("OpenBao {}: skipping unreadable record {} while listing", backend, ref);
        return null;
      }
    }
  }

  /** Carries a checked failure out of the Iterator that collectPage drives. */
  private static final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient KeystoreException failure;

    Failure(KeystoreException failure) {
      super(null, null, false, false);
      this.failure = failure;
    }
  }
}
