package org.openkcm.keystore.inmemory.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Owner;

/**
 * Owner and tier indexes over the record map, so that listing by owner or tier costs in proportion
 * to that owner's or tier's records rather than to the whole store; merged, the tier indexes also
 * give the global (id, version) order. An index may briefly hold a ref whose record is gone (delete
 * removes the record first); listing skips those.
 */
final class SecondaryIndex {
  private final Map<Owner, NavigableSet<KeyRef>> byOwner = new ConcurrentHashMap<>();
  private final Map<KeyTier, NavigableSet<KeyRef>> byTier = new EnumMap<>(KeyTier.class);

  SecondaryIndex() {
    for (KeyTier t : KeyTier.values()) {
      byTier.put(t, new ConcurrentSkipListSet<>());
    }
  }

  void add(KeyMetadata m) {
    byOwner.computeIfAbsent(m.owner(), o -> new ConcurrentSkipListSet<>()).add(m.ref());
    byTier.get(m.tier()).add(m.ref());
  }

  void remove(KeyMetadata m) {
    byOwner.computeIfPresent(
        m.owner(),
        (o, refs) -> {
          refs.remove(m.ref());
          return refs.isEmpty() ? null : refs;
        });
    byTier.get(m.tier()).remove(m.ref());
  }

  /**
   * @return refs that hold every match of {@code filter}, in ascending order, after the filter's
   *     cursor: the owner's refs, or the tier's refs, or (for an exact id, an id prefix or no
   *     criterion) the three tier indexes merged from the first possible match on. The caller stops
   *     at {@link #pastEnd}. The tier indexes partition every stored ref, so no separate sorted set
   *     of all refs is kept: a store costs two ordered inserts, not three.
   */
  Iterator<KeyRef> candidates(KeyFilter filter) {
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
