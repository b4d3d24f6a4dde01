package org.openkcm.keystore.inmemory.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Owner;

/**
 * Owner and tier indexes over the record map, so that listing by owner or tier costs in proportion
 * to that owner's or tier's records rather than to the whole store; merged, the tier indexes also
 * give the global (id, version) order.
 *
 * <p>Written lazily: a store or delete only queues its change ({@link #add}, {@link #remove}: an
 * unsorted append, made inside the record's atomic section). The queue is applied in one batch,
 * when it reaches {@value #BATCH} changes ({@link #applyIfFull}, outside the atomic section) and
 * before every listing ({@link #candidates}). Applying holds one lock, so a listing that starts
 * after a store returned always finds the store's ref.
 *
 * <p>Each index is a few sorted arrays of refs ({@link Runs}), log-structured: a batch's adds for
 * one index are sorted into a new array ({@link Run}), and two arrays are merged into one whenever
 * the older is less than twice the newer, so an index of n refs has at most about log2(n / batch)
 * arrays and every ref is copied that many times over its life. A merge compares numeric sort keys
 * kept beside the refs, so it is sequential work on arrays, where an ordered tree or skip list pays
 * an allocation and a walk of scattered nodes (and of the ids they hold) for every insert; the
 * arrays are immutable, so listings read them without a lock.
 *
 * <p>A delete does not touch the arrays: an index may hold refs whose record is gone (or, after a
 * re-store, was stored again under another owner), and {@link #candidates} yields only refs whose
 * current record belongs to the index. Those stale refs are bounded: once an index has seen as many
 * removals as half the refs it holds (and at least {@value #BATCH}), it is rewritten with its live
 * refs only, so the index never holds more than about twice the live refs plus one batch, and a
 * listing's extra work is in proportion to its matches.
 */
final class SecondaryIndex {
  static final int BATCH = 4_096;

  private final Map<Owner, Runs> byOwner = new ConcurrentHashMap<>();
  private final Map<KeyTier, Runs> byTier = new EnumMap<>(KeyTier.class);
  private final ConcurrentLinkedQueue<Change> queued = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();
  private final ReentrantLock applying = new ReentrantLock();

  /** A ref's current metadata, or null if it has no record. */
  private final Function<KeyRef, KeyMetadata> current;

  /** The same, once a store or delete of that ref in progress has finished. */
  private final Function<KeyRef, KeyMetadata> settled;

  /** One queued change: {@code m}'s ref enters ({@code add}) or leaves its owner and tier sets. */
  private record Change(KeyMetadata m, boolean add) {}

  /**
   * @param current a ref's current metadata, or null (listings)
   * @param settled the same, waiting for a store or delete of that ref still inside its atomic
   *     section (compactions: their change may already be queued, and a compaction that saw such a
   *     store's ref as absent would drop it for good)
   */
  SecondaryIndex(Function<KeyRef, KeyMetadata> current, Function<KeyRef, KeyMetadata> settled) {
    this.current = current;
    this.settled = settled;
    for (KeyTier t : KeyTier.values()) {
      byTier.put(t, new Runs(null, t));
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
    // the batch's adds sorted once (by sort key), then handed out in that order to their indexes
    List<Run.Keyed> added = new ArrayList<>(batch.size());
    Map<Runs, int[]> removals = new IdentityHashMap<>();
    for (Change c : batch) {
      KeyMetadata m = c.m();
      if (c.add()) {
        added.add(new Run.Keyed(m));
      } else {
        Runs owned = byOwner.get(m.owner());
        if (owned != null) {
          removals.computeIfAbsent(owned, r -> new int[1])[0]++;
        }
        removals.computeIfAbsent(byTier.get(m.tier()), r -> new int[1])[0]++;
      }
    }
    Collections.sort(added);
    Map<Runs, List<Run.Keyed>> adds = new IdentityHashMap<>();
    for (Run.Keyed k : added) {
      Runs owned = byOwner.computeIfAbsent(k.m().owner(), o -> new Runs(o, null));
      adds.computeIfAbsent(owned, r -> new ArrayList<>()).add(k);
      adds.computeIfAbsent(byTier.get(k.m().tier()), r -> new ArrayList<>()).add(k);
    }
    adds.forEach(Runs::push);
    removals.forEach(
        (runs, count) -> {
          if (runs.removed(count[0]) && runs.compact(settled) && runs.owner != null) {
            byOwner.remove(runs.owner, runs);
          }
        });
  }

  /**
   * @return live refs that hold every match of {@code filter}, in ascending order, after the
   *     filter's cursor: the owner's refs, or the tier's refs, or (for an exact id, an id prefix or
   *     no criterion) the three tier indexes merged from the first possible match on. The caller
   *     stops at {@link #pastEnd}. The tier indexes partition every stored ref, so no separate
   *     index of all refs is kept: a store is queued for two indexes, not three.
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
    List<Runs> sources;
    if (filter.owner().isPresent()) {
      Runs owned = byOwner.get(filter.owner().get());
      if (owned == null) {
        return Collections.emptyIterator();
      }
      sources = List.of(owned);
    } else if (filter.tier().isPresent()) {
      sources = List.of(byTier.get(filter.tier().get()));
    } else {
      sources = List.copyOf(byTier.values());
    }
    List<Cursor> cursors = new ArrayList<>();
    for (Runs r : sources) {
      for (Run run : r.runs) {
        Cursor c = new Cursor(r, run, from, inclusive);
        if (!c.done()) {
          cursors.add(c);
        }
      }
    }
    return new LiveMerge(cursors, current);
  }

  /**
   * @return refs held by every index together, stale ones included (for tests of the bound)
   */
  int held() {
    applyAll();
    int n = 0;
    for (Runs r : byTier.values()) {
      n += r.held;
    }
    for (Runs r : byOwner.values()) {
      n += r.held;
    }
    return n;
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

  /**
   * One owner's or one tier's index: sorted runs of distinct refs, oldest (largest) first. A run is
   * never written after it is published; {@link #runs} is replaced under the apply lock, and the
   * counters are only used under it.
   */
  private static final class Runs {
    final Owner owner;
    final KeyTier tier;
    volatile Run[] runs = new Run[0];
    int held;
    int removedSinceCompaction;

    Runs(Owner owner, KeyTier tier) {
      this.owner = owner;
      this.tier = tier;
    }

    boolean belongs(KeyMetadata m) {
      return m != null && (owner != null ? owner.equals(m.owner()) : tier == m.tier());
    }

    /** Adds a batch's refs for this index ({@code sorted} ascending, maybe with repeats). */
    void push(List<Run.Keyed> sorted) {
      Run run = Run.of(sorted);
      List<Run> next = new ArrayList<>(List.of(runs));
      next.add(run);
      held += run.size();
      while (next.size() >= 2
          && next.get(next.size() - 2).size() < 2 * next.get(next.size() - 1).size()) {
        Run newer = next.remove(next.size() - 1);
        Run older = next.remove(next.size() - 1);
        Run merged = Run.merge(older, newer);
        held -= older.size() + newer.size() - merged.size();
        next.add(merged);
      }
      runs = next.toArray(new Run[0]);
    }

    /**
     * @return whether the removals seen since the last compaction call for one
     */
    boolean removed(int count) {
      removedSinceCompaction += count;
      return removedSinceCompaction >= Math.max(BATCH, held / 2);
    }

    /**
     * Rewrites this index with only the refs whose current record belongs to it.
     *
     * @return whether it is now empty
     */
    boolean compact(Function<KeyRef, KeyMetadata> current) {
      List<KeyRef> live = new ArrayList<>();
      List<Cursor> all = new ArrayList<>();
      for (Run run : runs) {
        all.add(new Cursor(this, run, null, false));
      }
      new LiveMerge(all, current).forEachRemaining(live::add);
      List<Run.Keyed> keyed = new ArrayList<>(live.size());
      for (KeyRef r : live) {
        keyed.add(new Run.Keyed(r, null));
      }
      runs = live.isEmpty() ? new Run[0] : new Run[] {Run.of(keyed)};
      held = live.size();
      removedSinceCompaction = 0;
      return live.isEmpty();
    }
  }

  /**
   * Sorted distinct refs, each with its sort key: the first 16 characters of its id, one byte each
   * (ids are ASCII), in two longs. Compared as unsigned numbers, two keys order as the ids' first
   * 16 characters do (a shorter id is padded with zeros, below every id character), so a merge
   * compares numbers in two sequential arrays and only looks at the refs themselves when those are
   * equal.
   */
  private static final class Run {
    final KeyRef[] refs;
    final long[] keys; // refs[i]'s key at keys[2i], keys[2i + 1]

    private Run(KeyRef[] refs, long[] keys) {
      this.refs = refs;
      this.keys = keys;
    }

    int size() {
      return refs.length;
    }

    int compare(int i, Run other, int j) {
      int c = Long.compareUnsigned(keys[2 * i], other.keys[2 * j]);
      if (c == 0) {
        c = Long.compareUnsigned(keys[2 * i + 1], other.keys[2 * j + 1]);
      }
      return c != 0 ? c : refs[i].compareTo(other.refs[j]);
    }

    /**
     * One entry while a run is built: a ref with its sort key, and the metadata it was stored with
     * (null in a compaction).
     */
    record Keyed(long high, long low, KeyRef ref, KeyMetadata m) implements Comparable<Keyed> {
      Keyed(KeyMetadata m) {
        this(m.ref(), m);
      }

      Keyed(KeyRef ref, KeyMetadata m) {
        this(pack(ref.id(), 0), pack(ref.id(), 8), ref, m);
      }

      @Override
      public int compareTo(Keyed o) {
        int c = Long.compareUnsigned(high, o.high);
        if (c == 0) {
          c = Long.compareUnsigned(low, o.low);
        }
        return c != 0 ? c : ref.compareTo(o.ref);
      }

      private static long pack(String id, int from) {
        long k = 0;
        for (int i = from; i < from + 8; i++) {
          k = (k << 8) | (i < id.length() ? id.charAt(i) & 0xFF : 0);
        }
        return k;
      }
    }

    /** A run of {@code keyed}, which is sorted, each ref once. */
    static Run of(List<Keyed> keyed) {
      KeyRef[] out = new KeyRef[keyed.size()];
      long[] keys = new long[2 * keyed.size()];
      int n = 0;
      for (Keyed k : keyed) {
        if (n > 0 && out[n - 1].equals(k.ref())) {
          continue;
        }
        out[n] = k.ref();
        keys[2 * n] = k.high();
        keys[2 * n + 1] = k.low();
        n++;
      }
      return n == out.length ? new Run(out, keys) : trimmed(out, keys, n);
    }

    /** Merges two runs into one, a ref in both kept once. */
    static Run merge(Run a, Run b) {
      KeyRef[] out = new KeyRef[a.size() + b.size()];
      long[] keys = new long[2 * out.length];
      int i = 0;
      int j = 0;
      int n = 0;
      while (i < a.size() || j < b.size()) {
        int c = i == a.size() ? 1 : j == b.size() ? -1 : a.compare(i, b, j);
        Run from = c <= 0 ? a : b;
        int at = c <= 0 ? i++ : j++;
        if (c == 0) {
          j++;
        }
        out[n] = from.refs[at];
        keys[2 * n] = from.keys[2 * at];
        keys[2 * n + 1] = from.keys[2 * at + 1];
        n++;
      }
      return n == out.length ? new Run(out, keys) : trimmed(out, keys, n);
    }

    private static Run trimmed(KeyRef[] refs, long[] keys, int n) {
      return new Run(Arrays.copyOf(refs, n), Arrays.copyOf(keys, 2 * n));
    }
  }

  /** A position in one run of one index. */
  private static final class Cursor {
    final Runs index;
    final Run run;
    int at;

    Cursor(Runs index, Run run, KeyRef from, boolean inclusive) {
      this.index = index;
      this.run = run;
      this.at = from == null ? 0 : firstAfter(run.refs, from, inclusive);
    }

    boolean done() {
      return at == run.size();
    }

    private static int firstAfter(KeyRef[] refs, KeyRef from, boolean inclusive) {
      int lo = 0;
      int hi = refs.length;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        int c = refs[mid].compareTo(from);
        if (c < 0 || (c == 0 && !inclusive)) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo;
    }
  }

  /**
   * Ascending merge of sorted arrays, each ref once, only refs whose current record belongs to the
   * index the ref was found in.
   */
  private static final class LiveMerge implements Iterator<KeyRef> {
    private final List<Cursor> cursors;
    private final Function<KeyRef, KeyMetadata> current;
    private KeyRef last;
    private KeyRef next;

    LiveMerge(List<Cursor> cursors, Function<KeyRef, KeyMetadata> current) {
      this.cursors = cursors;
      this.current = current;
      this.next = advance();
    }

    private KeyRef advance() {
      while (true) {
        Cursor min = null;
        for (Cursor c : cursors) {
          if (!c.done() && (min == null || c.run.compare(c.at, min.run, min.at) < 0)) {
            min = c;
          }
        }
        if (min == null) {
          return null;
        }
        KeyRef r = min.run.refs[min.at++];
        if (!r.equals(last) && min.index.belongs(current.apply(r))) {
          last = r;
          return r;
        }
      }
    }

    @Override
    public boolean hasNext() {
      return next != null;
    }

    @Override
    public KeyRef next() {
      if (next == null) {
        throw new NoSuchElementException();
      }
      KeyRef out = next;
      next = advance();
      return out;
    }
  }
}
