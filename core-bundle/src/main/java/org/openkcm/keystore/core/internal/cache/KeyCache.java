package org.openkcm.keystore.core.internal.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.openkcm.keystore.api.CacheStatistics;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.spi.KeyRecord;

/**
 * The core's cache: per tier, a sealed-record layer and a plaintext layer of unwrapped material
 * (copied out on every hit, zeroized when dropped), plus an index of each key's active version.
 * Entries are invalidated by the core on update, rotation, status change and delete; TTLs bound how
 * long a change made on another node can go unseen.
 */
public final class KeyCache implements AutoCloseable {
  private final CacheSettings settings;
  private final Ticker ticker;
  private final Map<KeyTier, TierCaches> tiers = new EnumMap<>(KeyTier.class);

  /** Lookup order when the tier is unknown: the hot tier first. */
  private final TierCaches[] order;

  private final Cache<String, KeyMetadata> active;

  /** The revocation bound in ticker nanoseconds. */
  private final long boundNanos;

  private final Coalescer<KeyRef, SealedEntry> recordReads = new Coalescer<>();
  private final Coalescer<String, KeyMetadata> activeReads = new Coalescer<>();

  /** With the coarse clock and a background sweep: the production set-up. */
  public KeyCache(CacheSettings settings) {
    this(settings, new CoarseTicker(), true);
  }

  /**
   * @param sweep whether a background scheduler removes (and zeroizes) expired entries when idle
   */
  public KeyCache(CacheSettings settings, Ticker ticker, boolean sweep) {
    this.settings = settings;
    this.ticker = ticker;
    Duration staleLife = settings.serveStale() ? settings.maxStaleness() : Duration.ZERO;
    for (KeyTier t : KeyTier.values()) {
      tiers.put(t, new TierCaches(t, settings.policy(t), staleLife, ticker, sweep));
    }
    this.order =
        new TierCaches[] {tiers.get(KeyTier.L4), tiers.get(KeyTier.L3), tiers.get(KeyTier.L2)};
    Duration shortest =
        settings.tiers().values().stream()
            .map(TierPolicy::ttl)
            .min(Duration::compareTo)
            .orElseThrow();
    this.boundNanos = settings.revalidateAfter().toNanos();
    this.active =
        Caffeine.newBuilder()
            .maximumSize(10_000)
            .expireAfterWrite(
                shortest.compareTo(settings.revalidateAfter()) < 0
                    ? shortest
                    : settings.revalidateAfter())
            .ticker(ticker)
            .executor(Runnable::run)
            .build();
  }

  public CacheSettings settings() {
    return settings;
  }

  /**
   * @return the key's metadata and a copy of its material (tier unknown: L4, L3, L2 in turn), or
   *     null
   */
  public CachedKey copyPlaintext(KeyRef ref) {
    for (TierCaches t : order) {
      CachedKey k = copyFrom(t, ref);
      if (k != null) {
        return k;
      }
    }
    return null;
  }

  public CachedKey copyPlaintext(KeyRef ref, KeyTier tier) {
    return copyFrom(tiers.get(tier), ref, Long.MAX_VALUE);
  }

  /**
   * Like {@link #copyPlaintext(KeyRef, KeyTier)}, but only material whose state was read from the
   * backend within the revocation bound: older state must be checked again before it serves.
   *
   * @param tier the tier if known, else {@code null}
   */
  public CachedKey copyCurrent(KeyRef ref, KeyTier tier) {
    if (tier != null) {
      return copyFrom(tiers.get(tier), ref, boundNanos);
    }
    for (TierCaches t : order) {
      CachedKey k = copyFrom(t, ref, boundNanos);
      if (k != null) {
        return k;
      }
    }
    return null;
  }

  private CachedKey copyFrom(TierCaches t, KeyRef ref) {
    return copyFrom(t, ref, Long.MAX_VALUE);
  }

  /**
   * A hit is a quiet lookup (hash lookup and Caffeine's TTL/idle check) plus one timestamp compare
   * for the revocation bound. The hit is recorded with Caffeine (access time for idle expiry, the
   * frequency and order eviction uses) the first time the entry is hit at each reading of the
   * clock: the coarse clock only moves every {@value CoarseTicker#RESOLUTION_MILLIS} ms, so the
   * access time Caffeine keeps is the one it would keep if every hit were recorded, while the
   * per-read bookkeeping (read buffer, drains) is paid once per entry and clock step instead of on
   * every hit.
   */
  private CachedKey copyFrom(TierCaches t, KeyRef ref, long maxAgeNanos) {
    if (t.plaintext == null) {
      return null;
    }
    TierCaches.PlainEntry e = t.plaintextPolicy.getIfPresentQuietly(ref);
    if (e == null) {
      return null;
    }
    long now = ticker.read();
    if (now - e.loadedAtNanos() > maxAgeNanos) {
      return null;
    }
    if (e.firstHitAt(now)) {
      t.plaintext.getIfPresent(ref);
    }
    byte[] copy = e.copy();
    if (copy == null) {
      return null; // zeroized under our feet: a miss
    }
    t.plainHits.increment();
    return new CachedKey(e.metadata(), copy);
  }

  /**
   * After a re-read past the revocation bound: if the cached material was unwrapped from exactly
   * {@code fresh} (same metadata, sealed bytes and revision), the unwrap would give the same bytes,
   * so the entry is marked read now and a copy returned; else null (the caller unwraps).
   */
  public CachedKey confirmPlaintext(KeyRecord fresh) {
    KeyMetadata m = fresh.metadata();
    TierCaches t = tiers.get(m.tier());
    if (t.plaintext == null) {
      return null;
    }
    TierCaches.PlainEntry e = t.plaintextPolicy.getIfPresentQuietly(m.ref());
    if (e == null || !e.unwrappedFrom(fresh)) {
      return null;
    }
    byte[] copy = e.copy();
    if (copy == null) {
      return null;
    }
    e.confirmedAt(ticker.read());
    return new CachedKey(e.metadata(), copy);
  }

  /** Counts a plaintext miss once the caller has learnt the key's tier. */
  public void plaintextMissed(KeyTier tier) {
    tiers.get(tier).plainMisses.increment();
  }

  /**
   * Caches unwrapped material, taking ownership of {@code owned} (zeroized at once if the layer is
   * off).
   */
  public void putPlaintext(KeyMetadata m, byte[] owned) {
    putPlaintext(m, owned, null);
  }

  /**
   * As {@link #putPlaintext(KeyMetadata, byte[])}, remembering the record the material was
   * unwrapped from (see {@link #confirmPlaintext}).
   */
  public void putPlaintext(KeyMetadata m, byte[] owned, KeyRecord source) {
    TierCaches t = tiers.get(m.tier());
    if (t.plaintext == null) {
      Arrays.fill(owned, (byte) 0);
      return;
    }
    t.plaintext.put(m.ref(), new TierCaches.PlainEntry(m, owned, source, ticker.read()));
  }

  /**
   * @return the cached metadata from either layer, without counting a hit or miss, or null
   */
  public KeyMetadata cachedMetadata(KeyRef ref) {
    for (TierCaches t : order) {
      TierCaches.PlainEntry p = t.plaintext == null ? null : t.plaintext.getIfPresent(ref);
      if (p != null && ticker.read() - p.loadedAtNanos() <= boundNanos) {
        return p.metadata();
      }
      SealedEntry s = t.sealed == null ? null : t.sealed.getIfPresent(ref);
      if (s != null && current(t, s)) {
        return s.record().metadata();
      }
    }
    return null;
  }

  /**
   * @return a sealed record read within its tier's TTL, or null (counted as a miss if {@code tier}
   *     is known)
   */
  public SealedEntry freshSealed(KeyRef ref, KeyTier tier) {
    for (TierCaches t : tier == null ? order : new TierCaches[] {tiers.get(tier)}) {
      SealedEntry s = t.sealed == null ? null : t.sealed.getIfPresent(ref);
      if (s != null && fresh(t, s)) {
        t.sealedHits.increment();
        return s;
      }
    }
    if (tier != null) {
      tiers.get(tier).sealedMisses.increment();
    }
    return null;
  }

  /**
   * @return a sealed record read within the revocation bound (and its tier's TTL), or null (counted
   *     as a miss if {@code tier} is known)
   */
  public SealedEntry currentSealed(KeyRef ref, KeyTier tier) {
    for (TierCaches t : tier == null ? order : new TierCaches[] {tiers.get(tier)}) {
      SealedEntry s = t.sealed == null ? null : t.sealed.getIfPresent(ref);
      if (s != null && current(t, s)) {
        t.sealedHits.increment();
        return s;
      }
    }
    if (tier != null) {
      tiers.get(tier).sealedMisses.increment();
    }
    return null;
  }

  /**
   * @return a sealed record past the revocation bound but within its tier's TTL, or null: what
   *     serves while the backend cannot be asked (unavailable, sealed), as before the bound existed
   */
  public SealedEntry unconfirmedSealed(KeyRef ref) {
    for (TierCaches t : order) {
      SealedEntry s = t.sealed == null ? null : t.sealed.getIfPresent(ref);
      if (s != null && fresh(t, s)) {
        return s;
      }
    }
    return null;
  }

  /**
   * Reads a record from its backend, one read per key at a time (concurrent callers share it), and
   * caches it.
   */
  public SealedEntry load(KeyRef ref, Coalescer.Read<SealedEntry> read) throws KeystoreException {
    return recordReads.get(
        ref,
        () -> {
          // a read that ended a moment ago already brought it: no second read
          for (TierCaches t : order) {
            SealedEntry done = t.sealed == null ? null : t.sealed.getIfPresent(ref);
            if (done != null && current(t, done)) {
              return done;
            }
          }
          SealedEntry e = read.read();
          putSealed(e.record(), e.backend());
          return new SealedEntry(e.record(), e.backend(), ticker.read());
        });
  }

  /**
   * @return the cached active version of {@code keyId}, else the one {@code read} finds (one read
   *     per key at a time; a key without an active version is not remembered)
   */
  public KeyMetadata activeOrLoad(String keyId, Coalescer.Read<KeyMetadata> read)
      throws KeystoreException {
    KeyMetadata m = active.getIfPresent(keyId);
    if (m != null) {
      return m;
    }
    return activeReads.get(
        keyId,
        () -> {
          KeyMetadata done = active.getIfPresent(keyId);
          if (done != null) {
            return done;
          }
          KeyMetadata found = read.read();
          if (found != null) {
            active.put(keyId, found);
          }
          return found;
        });
  }

  /**
   * @return a sealed record past its TTL but within the maximum staleness, if serve-stale is on;
   *     else null
   */
  public SealedEntry staleSealed(KeyRef ref) {
    if (!settings.serveStale()) {
      return null;
    }
    for (TierCaches t : order) {
      SealedEntry s = t.sealed == null ? null : t.sealed.getIfPresent(ref);
      if (s != null && age(s).compareTo(t.policy.ttl().plus(settings.maxStaleness())) <= 0) {
        return s;
      }
    }
    return null;
  }

  public void putSealed(KeyRecord record, String backend) {
    TierCaches t = tiers.get(record.metadata().tier());
    if (t.sealed != null) {
      t.sealed.put(record.metadata().ref(), new SealedEntry(record, backend, ticker.read()));
    }
  }

  /**
   * @return the cached active version of {@code keyId}, or null
   */
  public KeyMetadata active(String keyId) {
    return active.getIfPresent(keyId);
  }

  public void putActive(KeyMetadata m) {
    active.put(m.id(), m);
  }

  /**
   * Drops one version from every layer (its plaintext zeroized before this returns) and the key's
   * active index.
   */
  public void invalidate(KeyRef ref) {
    for (TierCaches t : order) {
      t.invalidate(ref);
    }
    active.invalidate(ref.id());
  }

  /**
   * @return whether the plaintext layer holds material of {@code ref} (for operators and tests)
   */
  public boolean holdsPlaintext(KeyRef ref) {
    for (TierCaches t : order) {
      if (t.plaintext != null && t.plaintext.getIfPresent(ref) != null) {
        return true;
      }
    }
    return false;
  }

  /** Runs pending expirations and evictions now (and so their zeroization). */
  public void cleanUp() {
    for (TierCaches t : order) {
      t.cleanUp();
    }
    active.cleanUp();
  }

  public CacheStatistics statistics() {
    List<CacheStatistics.Layer> layers = new ArrayList<>();
    for (KeyTier tier : KeyTier.values()) {
      layers.add(tiers.get(tier).sealedStats());
      layers.add(tiers.get(tier).plaintextStats());
    }
    return new CacheStatistics(layers);
  }

  private boolean fresh(TierCaches t, SealedEntry s) {
    return age(s).compareTo(t.policy.ttl()) <= 0;
  }

  private boolean current(TierCaches t, SealedEntry s) {
    return fresh(t, s) && ticker.read() - s.loadedAtNanos() <= boundNanos;
  }

  private Duration age(SealedEntry s) {
    return Duration.ofNanos(ticker.read() - s.loadedAtNanos());
  }

  /** Zeroizes and drops everything. */
  @Override
  public void close() {
    for (TierCaches t : order) {
      t.invalidateAll();
    }
    active.invalidateAll();
    if (ticker instanceof CoarseTicker c) {
      c.close();
    }
  }
}
