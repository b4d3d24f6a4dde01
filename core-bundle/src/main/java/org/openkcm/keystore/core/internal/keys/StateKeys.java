package org.openkcm.keystore.core.internal.keys;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.openkcm.keystore.core.internal.crypto.EnvelopeSealer;
import org.openkcm.keystore.core.internal.crypto.StateAuthenticator;
import org.openkcm.keystore.model.IntegrityException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.spi.KeyRecord;
import org.openkcm.keystore.spi.RootKeyProvider;

/**
 * The core's record-state authentication (docs/crypto.md, "Authenticated state"): stamps every
 * write with {@link StateAuthenticator#TAG} bound to the revision the write produces, and checks
 * every read. The state key is derived from the configured root-key provider once ({@link
 * RootKeyProvider#deriveKey}) and again when the configured provider changes.
 */
final class StateKeys implements AutoCloseable {
  /** Reserved tag the core puts on a listed record whose state failed authentication. */
  static final String INTEGRITY = ReservedTags.PREFIX + "integrity";

  static final String FAILED = "failed";

  /** Default {@link #writeTimeTolerance}: clock skew between a node and its backends. */
  static final Duration DEFAULT_TOLERANCE = Duration.ofSeconds(60);

  private final RootKeyProvider root;
  private volatile Entry current;
  private volatile Duration tolerance = DEFAULT_TOLERANCE;

  /** The state key, and the keys of root keys the provider still accepts (verification only). */
  private record Entry(String provider, StateAuthenticator auth, List<StateAuthenticator> previous)
      implements AutoCloseable {
    /**
     * @return what the tag claims, if it verifies under the state key or a previous one; else null
     */
    StateAuthenticator.Verified verify(KeyMetadata bare, String tag) {
      StateAuthenticator.Verified v = auth.verify(bare, tag);
      for (int i = 0; v == null && i < previous.size(); i++) {
        v = previous.get(i).verify(bare, tag);
      }
      return v;
    }

    @Override
    public void close() {
      auth.close();
      previous.forEach(StateAuthenticator::close);
    }
  }

  StateKeys(RootKeyProvider root) {
    this.root = root;
  }

  StateAuthenticator get() throws KeystoreException {
    return entry().auth();
  }

  private Entry entry() throws KeystoreException {
    String name = root.name();
    Entry e = current;
    if (e != null && e.provider().equals(name)) {
      return e;
    }
    synchronized (this) {
      e = current;
      if (e != null && e.provider().equals(name)) {
        return e;
      }
      current = derive(name);
      if (e != null) {
        e.close();
      }
      return current;
    }
  }

  private Entry derive(String name) throws KeystoreException {
    byte[] k = root.deriveKey(StateAuthenticator.LABEL);
    List<StateAuthenticator> previous = new ArrayList<>();
    try {
      for (byte[] p : root.derivePreviousKeys(StateAuthenticator.LABEL)) {
        try {
          previous.add(new StateAuthenticator(p));
        } finally {
          Arrays.fill(p, (byte) 0);
        }
      }
      return new Entry(name, new StateAuthenticator(k), List.copyOf(previous));
    } finally {
      Arrays.fill(k, (byte) 0);
    }
  }

  /**
   * The last metadata object whose state tag verified: a backend in this JVM (InMemory) hands out
   * the same immutable object on every read, so reading a parent on every create (or any hot
   * record) need not recompute the same MAC. Compared by identity, never by equality; a backend
   * that parses its records makes a new object per read and never hits. Revision and write time are
   * still checked on every read.
   */
  private record Verification(
      KeyMetadata raw,
      Entry entry,
      KeyMetadata bare,
      StateAuthenticator.Verified verified,
      boolean current) {}

  private volatile Verification lastVerified;

  /** A checked record and whether its state tag is the current state key's. */
  record Checked(KeyRecord record, boolean current) {}

  /**
   * How much later than the core's authenticated write time a backend may report having written a
   * revision (clock skew between node and backend, a slow or retried write) before the record is
   * refused as an old copy written again.
   */
  void writeTimeTolerance(Duration d) {
    if (d == null || d.isNegative()) {
      throw new IllegalArgumentException("write time tolerance must be >= 0");
    }
    tolerance = d;
  }

  Duration writeTimeTolerance() {
    return tolerance;
  }

  /**
   * @return {@code m} (its own state tag replaced) with a state tag for the write that produces
   *     {@code revision}, written now
   */
  KeyMetadata stamp(KeyMetadata m, long revision) throws KeystoreException {
    KeyMetadata bare = strip(m);
    return bare.toBuilder()
        .tag(StateAuthenticator.TAG, get().stamp(bare, revision, Instant.now()))
        .build();
  }

  /**
   * @return the record's metadata without the state tag, once its state verified at the record's
   *     revision
   * @throws IntegrityException if the state was edited, replayed from another revision, stripped
   *     from a record whose sealed format requires it, or written by the backend later than the
   *     core wrote it (plus {@link #writeTimeTolerance}): an old copy written again
   */
  KeyMetadata check(KeyRecord r, String backend) throws KeystoreException {
    return checkDetailed(r, backend).record().metadata();
  }

  /**
   * As {@link #check}, also telling whether the state verified under the current state key (a
   * record authenticated under a previous root key's, or not at all, is re-authenticated when
   * rewrapped).
   */
  Checked checkDetailed(KeyRecord r, String backend) throws KeystoreException {
    KeyMetadata m = r.metadata();
    String tag = m.tags().get(StateAuthenticator.TAG);
    if (tag == null) {
      if (EnvelopeSealer.requiresAuthenticatedState(r.sealed())) {
        throw integrity(
            m, backend, "carries no authenticated state (removed or forged in the backend)");
      }
      // sealed format 1, written before the state was authenticated: accepted as it is
      return new Checked(r, false);
    }
    Entry e = entry();
    Verification last = lastVerified;
    KeyMetadata bare;
    StateAuthenticator.Verified v;
    boolean isCurrent;
    if (last != null && last.raw() == m && last.entry() == e) {
      // this very (immutable) metadata object verified under this key before: same answer
      bare = last.bare();
      v = last.verified();
      isCurrent = last.current();
    } else {
      bare = strip(m);
      v = e.auth().verify(bare, tag);
      isCurrent = v != null;
      if (!isCurrent) {
        v = e.verify(bare, tag);
      }
      if (v != null) {
        lastVerified = new Verification(m, e, bare, v, isCurrent);
      }
    }
    if (v == null) {
      throw integrity(
          m,
          backend,
          "has state (status, expiry, parent, tags or times) that fails the core's"
              + " authentication: edited in the backend, or authenticated under another root key");
    }
    if (v.revision() != r.revision()) {
      throw integrity(
          m,
          backend,
          "was rolled back or replayed: its authenticated state belongs to revision "
              + v.revision()
              + ", the backend holds revision "
              + r.revision());
    }
    Duration skew = tolerance;
    if (r.writtenAt().isPresent() && r.writtenAt().get().isAfter(v.writtenAt().plus(skew))) {
      throw integrity(
          m,
          backend,
          "was written again after the core wrote it (an old copy restored, e.g. after a destroy):"
              + " its authenticated state was written at "
              + v.writtenAt()
              + ", the backend wrote this revision at "
              + r.writtenAt().get()
              + ", more than "
              + skew.toMillis()
              + " ms later");
    }
    return new Checked(r.withMetadata(bare), isCurrent);
  }

  /**
   * For a migration: {@code source} verified ({@link #check}) as its backend holds it, then stamped
   * for a new record (revision 1) written now. A record without a state tag is copied as it is: the
   * target then judges it exactly as the source did (a migration never makes a record more trusted
   * than it was).
   *
   * @throws IntegrityException if the source's state tag fails
   */
  KeyMetadata forCopy(KeyRecord source, String backend) throws KeystoreException {
    if (!source.metadata().tags().containsKey(StateAuthenticator.TAG)) {
      return source.metadata();
    }
    return stamp(check(source, backend), 1);
  }

  /**
   * For listings (no revision, no sealed bytes): verifies the MAC against the revision the tag
   * claims.
   *
   * @return the metadata without the state tag; tagged {@value #INTEGRITY}={@value #FAILED} if it
   *     fails
   */
  KeyMetadata inspect(KeyMetadata m) throws KeystoreException {
    String tag = m.tags().get(StateAuthenticator.TAG);
    if (tag == null) {
      return m.tags().containsKey(INTEGRITY) ? corrupt(m) : m;
    }
    KeyMetadata bare = strip(m);
    return entry().verify(bare, tag) == null ? corrupt(bare) : bare;
  }

  static boolean isCorrupt(KeyMetadata m) {
    return FAILED.equals(m.tags().get(INTEGRITY));
  }

  private static KeyMetadata corrupt(KeyMetadata m) throws KeystoreException {
    TreeMap<String, String> tags = new TreeMap<>(m.tags());
    tags.remove(StateAuthenticator.TAG);
    if (tags.size() >= org.openkcm.keystore.model.Limits.MAX_TAGS) {
      tags.remove(tags.lastKey());
    }
    tags.put(INTEGRITY, FAILED);
    return m.toBuilder().tags(tags).build();
  }

  static KeyMetadata strip(KeyMetadata m) throws KeystoreException {
    if (!m.tags().containsKey(StateAuthenticator.TAG)) {
      return m;
    }
    Map<String, String> tags = new TreeMap<>(m.tags());
    tags.remove(StateAuthenticator.TAG);
    return m.toBuilder().tags(tags).build();
  }

  static IntegrityException integrity(KeyMetadata m, String backend, String problem) {
    return new IntegrityException(
        m.ref(), backend, "key " + m.ref() + " in '" + backend + "' " + problem);
  }

  @Override
  public void close() {
    Entry e = current;
    if (e != null) {
      e.close();
    }
  }
}
