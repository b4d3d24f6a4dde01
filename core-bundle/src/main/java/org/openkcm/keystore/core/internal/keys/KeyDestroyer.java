package org.openkcm.keystore.core.internal.keys;

import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.openkcm.keystore.core.internal.cache.KeyCache;
import org.openkcm.keystore.core.internal.crypto.EnvelopeSealer;
import org.openkcm.keystore.core.internal.crypto.ThreadCrypto;
import org.openkcm.keystore.model.IntegrityException;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyAlreadyExistsException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyNotFoundException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Limits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Destroys every version of a key: its record is deleted (with the backend's copies of the sealed
 * bytes) and replaced by an authenticated tombstone ({@link #tombstoneOf}). Refused while live
 * children exist unless cascading; a cascade (and any multi-version delete) first tags every
 * version with {@code openkcm.saga=destroy}, the intent the reconciler rolls forward if we stop
 * half-way (shredding cannot be rolled back), then destroys the children depth-first, then the
 * key's versions.
 */
final class KeyDestroyer {
  private static final Logger LOG = LoggerFactory.getLogger(KeyDestroyer.class);

  private final KeyVersions versions;
  private final KeyChildren children;
  private final KeyPlacement placement;
  private final Supplier<KeyCache> cache;

  KeyDestroyer(
      KeyVersions versions,
      KeyChildren children,
      KeyPlacement placement,
      Supplier<KeyCache> cache) {
    this.versions = versions;
    this.children = children;
    this.placement = placement;
    this.cache = cache;
  }

  void destroy(String keyId, boolean cascade) throws KeystoreException {
    Limits.checkId("keyId", keyId);
    KeyVersions.Versions v;
    try {
      v = versions.read(keyId);
    } catch (KeyNotFoundException e) {
      if (destroyUnlisted(keyId) == 0) {
        throw e;
      }
      return;
    }
    if (v.all().stream().allMatch(KeyDestroyer::isTombstone)) {
      return; // destroyed before: only tombstones are left
    }
    KeyMetadata first = v.first();
    Set<String> live = children.live(keyId, first.tier(), null);
    if (!live.isEmpty() && !cascade) {
      throw new InvalidKeyRequestException(
          "cascade",
          "key '"
              + keyId
              + "' has "
              + live.size()
              + " live child key(s), e.g. '"
              + live.iterator().next()
              + "'; destroy them first or ask for a cascade");
    }
    if (!live.isEmpty() || v.all().size() > 1) {
      markIntent(v);
      v.all()
          .forEach(
              m -> cache.get().invalidate(m.ref())); // no new children under a key being destroyed
    }
    for (String child : live) {
      try {
        if (!isChildOf(child, keyId)) {
          continue;
        }
        destroy(child, true);
      } catch (KeyNotFoundException e) {
        // destroyed concurrently: what we wanted
      }
    }
    // highest version first: a stop half-way leaves the lowest versions, still tagged with the
    // intent
    for (int i = v.all().size() - 1; i >= 0; i--) {
      KeyMetadata m = v.all().get(i);
      if (isTombstone(m)) {
        continue;
      }
      v.home().delete(m.ref());
      cache.get().invalidate(m.ref());
      try {
        v.home().store(tombstoneOf(m), EnvelopeSealer.tombstone());
      } catch (KeyAlreadyExistsException e) {
        // another node's destroy wrote it first
      }
    }
    placement.forget(keyId);
    ThreadCrypto.scrub(); // no thread's cipher keeps the destroyed material as its last key
    LOG.info(
        "Key '{}' destroyed: {} version(s) shredded, tombstones left{}",
        keyId,
        v.all().size(),
        live.isEmpty() ? "" : ", after " + live.size() + " child key(s)");
  }

  /**
   * A cascade deletes only keys whose authenticated state names this parent: a parent tag planted
   * on another key in a backend makes it no child (and a child whose state fails authentication
   * stops the cascade with an {@code IntegrityException}; an operator destroys it by id).
   */
  private boolean isChildOf(String child, String parentId) throws KeystoreException {
    KeyVersions.Versions cv = versions.read(child);
    KeyMetadata m = placement.retrieve(cv.first().ref()).record().metadata();
    if (m.parent().isPresent() && m.parent().get().id().equals(parentId)) {
      return true;
    }
    LOG.warn(
        "Key '{}' is listed as a child of '{}' but its authenticated parent is {}; not destroyed with it",
        child,
        parentId,
        m.parent().map(Object::toString).orElse("none"));
    return false;
  }

  /**
   * A record no backend lists under its id (its identity fields were edited, so a backend's listing
   * skips it) but that is still stored at id@v: found by reading id@1, id@2, ... and removed where
   * it fails authentication, so an operator can always destroy what {@code show} reports as
   * corrupt.
   *
   * @return how many such records were removed
   */
  private int destroyUnlisted(String keyId) throws KeystoreException {
    int removed = 0;
    for (int version = 1; version <= MAX_UNLISTED; version++) {
      KeyRef ref = KeyRef.of(keyId, version);
      try {
        placement.retrieve(ref);
        return removed; // an authenticated record: listing would have found it; nothing unlisted
        // beyond
      } catch (KeyNotFoundException e) {
        return removed;
      } catch (IntegrityException e) {
        String backend = e.backend().orElse(null);
        if (backend == null) {
          throw e;
        }
        placement.directory().backend(backend).delete(ref);
        cache.get().invalidate(ref);
        removed++;
        LOG.warn(
            "Key {} in '{}' failed authentication and was not listed; removed by an operator's destroy",
            ref,
            backend);
      }
    }
    return removed;
  }

  private static final int MAX_UNLISTED = 1000;

  /**
   * A destroyed version whose tombstone is written: status DESTROYED, no intent, state
   * authenticated.
   */
  static boolean isTombstone(KeyMetadata m) {
    return m.status() == KeyStatus.DESTROYED
        && !m.tags().containsKey(ReservedTags.SAGA)
        && !StateKeys.isCorrupt(m);
  }

  /**
   * @return the authenticated tombstone that replaces a destroyed version: its identity and caller
   *     tags, status DESTROYED, no material. It keeps the id taken (never reused) and makes a copy
   *     of the old record put back on top of it fail the revision check (docs/crypto.md, "Destroy")
   */
  static KeyMetadata tombstoneOf(KeyMetadata m) throws KeystoreException {
    TreeMap<String, String> tags = new TreeMap<>(m.tags());
    tags.remove(ReservedTags.SAGA);
    tags.remove(StateKeys.INTEGRITY);
    return MetadataUpdates.touched(m).status(KeyStatus.DESTROYED).tags(tags).build();
  }

  private static void markIntent(KeyVersions.Versions v) throws KeystoreException {
    for (KeyMetadata m : v.all()) {
      if (!isTombstone(m) && !StateKeys.isCorrupt(m)) {
        ReservedTags.withIntent(m.ref(), m.tags(), ReservedTags.SAGA_DESTROY); // all fit, or none
      }
    }
    for (KeyMetadata m : v.all()) {
      if (isTombstone(m) || ReservedTags.isDestroying(m.tags())) {
        continue; // already marked (a reconciler's claim on it stays in place)
      }
      if (StateKeys.isCorrupt(m)) {
        continue; // an operator destroys a record whose state failed authentication; it gets no
        // intent
      }
      MetadataUpdates.update(
          v.home(),
          m.ref(),
          cur ->
              MetadataUpdates.touched(cur)
                  .tags(
                      ReservedTags.isDestroying(cur.tags())
                          ? cur.tags() // marked meanwhile (a reconciler's claim stays)
                          : ReservedTags.withIntent(
                              cur.ref(), cur.tags(), ReservedTags.SAGA_DESTROY))
                  .build());
    }
  }
}
