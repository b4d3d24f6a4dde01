package org.openkcm.keystore.inmemory.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Owner;

/**
 * Owner and tier indexes over the record map, so that listing by owner or tier costs in proportion
 * to that owner's or tier's records rather than to the whole store; merged, the tier indexes also
 * give the global (id, version) order. An index may briefly hold a ref whose record is gone;
 * listing skips those.
 *
 * <p>Written lazily: a store or delete only queues its change ({@link #add}, {@link #remove}: an
 * unsorted append, made inside the record's atomic section, so one ref's changes queue in the order
 * the record map saw them). The queue is applied to the sorted sets in one batch, sorted by ref (a
 * stable sort, which keeps one ref's changes in order), when it reaches {@value #BATCH} changes
 * ({@link #applyIfFull}, outside the atomic section) and before every listing ({@link
 * #candidates}). Sorted batches touch the skip lists' nodes in order, which costs about half of as
 * many inserts made one at a time in random order (the ids are random); a listing pays at most
 * {@value #BATCH} queued changes on top of its matches. Applying holds one lock, so a listing that
 * starts after a store returned always finds the store's ref in the sets.
 */
final class SecondaryIndex {
  static final int BATCH = 4_096;

  private static final Comparator<Change> BY_REF = Comparator.comparing(c -> c.m().ref());

  private final Map<Owner, NavigableSet<KeyRef>> byOwner = new ConcurrentHashMap<>();
  private final Map<KeyTier, NavigableSet<KeyRef>> byTier = new EnumMap<>(KeyTier.class);
  private final ConcurrentLinkedQueue<Change> queued = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();
  private final ReentrantLock applying = new ReentrantLock();

  /** One queued change: {@code m}'s ref enters ({@code add}) or leaves its owner and tier sets. */
  private record Change(KeyMetadata m, boolean add) {}

  SecondaryIndex() {
    for (KeyTier t : KeyTier.values()) {
      byTier.put(t, new ConcurrentSkipListSet<>());
    }
  }

  /** Queues {@code m}'s entry (call inside the record's atomic section). */
  void add(KeyMetadata m) {
    queue(new Change(m, true));
  }

  /** Queues {@code m}'s removal (call inside the record's atomic section). */
  void remove(KeyMetadata m) {
    queue(new Change(m, false));
  }

  private void queue(Change c) {
    size.incrementAndGet(); // before the offer: the queue never holds more than size says
    queued.offer(c);
  }

  /**
   * Applies the queued changes if there are {@value #BATCH} of them and no other thread is doing so
   * (call outside the record's atomic section).
   */
  void applyIfFull() {
    if (size.get() >= BATCH && applying.tryLock()) {
      try {
        apply();
      } finally {
        applying.unlock();
      }
    }
  }

  /** Applies every queued change; waits for one being applied by another thread. */
  private void applyAll() {
    applying.lock();
    try {
      apply();
    } finally {
      applying.unlock();
    }
  }

  private void apply() {
    // at most what is queued now, so that stores racing a listing cannot keep it applying; every
    // change whose store returned before this started is among them (FIFO, counted before queued)
    int n = size.get();
    List<Change> batch = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Change c = queued.poll();
      if (c == null) {
        break;
      }
      size.decrementAndGet();
      batch.add(c);
    }
    batch.sort(BY_REF); // stable: one ref's changes keep their order
    for (Change c : batch) {
      if (c.add()) {
        byOwner.computeIfAbsent(c.m().owner(), o -> new ConcurrentSkipListSet<>()).add(c.m().ref());
        byTier.get(c.m().tier()).add(c.m().ref());
      } else {
        byOwner.computeIfPresent(
            c.m().owner(),
            (o, refs) -> {
              refs.remove(c.m().ref());
              return refs.isEmpty() ? null : refs;
            });
        byTier.get(c.m().tier()).remove(c.m().ref());
      }
    }
  }

  /**
   * @return refs that hold every match of {@code filter}, in ascending order, after the filter's
   *     cursor: the owner's refs, or the tier's refs, or (for an exact id, an id prefix or no
   *     criterion) the three tier indexes merged from the first possible match on. The caller stops
   *     at {@link #pastEnd}. The tier indexes partition every stored ref, so no separate sorted set
   *     of all refs is kept: a store costs two ordered inserts, not three.
   */
  Iterator<KeyRef> candidates(KeyFilter filter) {
    applyAll();
    KeyRef from = filter.after().orElse(null);
    boolean inclusive = false;
    String start = filter.keyId().orElse(filter.idPrefix().orElse(null));
    if (start != null) {
      KeyRef first = firstOf(start);
      if (from == null || first.compareTo(from) > 0) {
        from = first;
        inclusive = true;
      }
    }
    if (filter.owner().isPresent()) {
      NavigableSet<KeyRef> owned = byOwner.get(filter.owner().get());
      return owned == null ? Collections.emptyIterator() : tail(owned, from, inclusive).iterator();
    }
    if (filter.tier().isPresent()) {
      return tail(byTier.get(filter.tier().get()), from, inclusive).iterator();
    }
    List<Iterator<KeyRef>> tiers = new ArrayList<>(3);
    for (NavigableSet<KeyRef> set : byTier.values()) {
      tiers.add(tail(set, from, inclusive).iterator());
    }
    return new MergedIterator(tiers);
  }

  private static NavigableSet<KeyRef> tail(
      NavigableSet<KeyRef> set, KeyRef from, boolean inclusive) {
    return from == null ? set : set.tailSet(from, inclusive);
  }

  private static KeyRef firstOf(String id) {
    try {
      return KeyRef.of(id, 1);
    } catch (InvalidKeyRequestException e) {
      throw new IllegalStateException("the filter validated this id", e);
    }
  }

  /**
   * @return whether {@code ref}, met in ascending order, lies beyond every possible match of an
   *     exact-id or id-prefix filter (ids with a common prefix are contiguous in string order)
   */
  static boolean pastEnd(KeyFilter filter, KeyRef ref) {
    if (filter.keyId().isPresent()) {
      return !filter.keyId().get().equals(ref.id());
    }
    return filter.idPrefix().isPresent() && !ref.id().startsWith(filter.idPrefix().get());
  }

  /** Ascending merge of a few ascending iterators over disjoint sets. */
  private static final class MergedIterator implements Iterator<KeyRef> {
    private final List<Iterator<KeyRef>> sources;
    private final KeyRef[] heads;

    MergedIterator(List<Iterator<KeyRef>> sources) {
      this.sources = sources;
      this.heads = new KeyRef[sources.size()];
      for (int i = 0; i < heads.length; i++) {
        heads[i] = sources.get(i).hasNext() ? sources.get(i).next() : null;
      }
    }

    @Override
    public boolean hasNext() {
      for (KeyRef h : heads) {
        if (h != null) {
          return true;
        }
      }
      return false;
    }

    @Override
    public KeyRef next() {
      int min = -1;
      for (int i = 0; i < heads.length; i++) {
        if (heads[i] != null && (min < 0 || heads[i].compareTo(heads[min]) < 0)) {
          min = i;
        }
      }
      if (min < 0) {
        throw new NoSuchElementException();
      }
      KeyRef out = heads[min];
      heads[min] = sources.get(min).hasNext() ? sources.get(min).next() : null;
      return out;
    }
  }
}
