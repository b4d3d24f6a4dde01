package org.openkcm.keystore.core.internal.keys;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.openkcm.keystore.core.internal.cache.KeyCache;
import org.openkcm.keystore.core.internal.crypto.EnvelopeSealer;
import org.openkcm.keystore.core.internal.crypto.ThreadCrypto;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.spi.Keystore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Status changes (legal lifecycle moves only; DESTROYED shreds the version and leaves a tombstone
 * with its metadata) and tag/expiry updates. Every write reads the record from its backend first
 * (never the cache) and is optimistic; the cache entry is dropped afterwards.
 */
final class KeyLifecycle {
  private static final Logger LOG = LoggerFactory.getLogger(KeyLifecycle.class);

  private final KeyPlacement placement;
  private final KeyChildren children;
  private final Supplier<KeyCache> cache;

  KeyLifecycle(KeyPlacement placement, KeyChildren children, Supplier<KeyCache> cache) {
    this.placement = placement;
    this.children = children;
    this.cache = cache;
  }

  KeyMetadata changeStatus(KeyRef ref, KeyStatus next) throws KeystoreException {
    if (next == null) {
      throw new InvalidKeyRequestException("status", "is required");
    }
    Located l = placement.retrieve(ref);
    try {
      if (next == KeyStatus.DESTROYED) {
        return shredVersion(l, ref);
      }
      KeyMetadata m =
          MetadataUpdates.update(
              l.keystore(),
              ref,
              cur -> {
                checkStatusChange(cur, next);
                return MetadataUpdates.touched(cur).status(next).build();
              });
      LOG.info("Key {} moved to {}", ref, next);
      return m;
    } finally {
      cache.get().invalidate(ref);
    }
  }

  KeyMetadata updateMetadata(KeyRef ref, Map<String, String> tags, Instant expiresAt)
      throws KeystoreException {
    Map<String, String> callerTags = tags == null ? Map.of() : new TreeMap<>(tags);
    ReservedTags.checkCallerTags(callerTags);
    Located l = placement.retrieve(ref);
    try {
      return MetadataUpdates.update(
          l.keystore(),
          ref,
          cur ->
              MetadataUpdates.touched(cur)
                  .tags(ReservedTags.merge(callerTags, cur.tags()))
                  .expiresAt(expiresAt)
                  .build());
    } finally {
      cache.get().invalidate(ref);
    }
  }

  /**
   * Shreds one version: refused while live children are wrapped by it; then the record is deleted
   * and replaced by a tombstone (no material, status DESTROYED). If the tombstone write fails the
   * version is still shredded, only its metadata is gone.
   */
  private KeyMetadata shredVersion(Located l, KeyRef ref) throws KeystoreException {
    KeyMetadata cur = l.record().metadata();
    checkStatusChange(cur, KeyStatus.DESTROYED);
    children.refuseIfWrapping(cur, ref);
    Keystore ks = l.keystore();
    KeyMetadata tomb = MetadataUpdates.touched(cur).status(KeyStatus.DESTROYED).build();
    ks.delete(ref);
    cache.get().invalidate(ref);
    ks.store(tomb, EnvelopeSealer.tombstone());
    ThreadCrypto.scrub();
    LOG.info("Key {} destroyed (material shredded, metadata kept)", ref);
    return tomb;
  }

  static void checkStatusChange(KeyMetadata cur, KeyStatus next) throws InvalidKeyRequestException {
    if (!cur.status().canTransitionTo(next)) {
      throw new InvalidKeyRequestException(
          "status",
          "key "
              + cur.ref()
              + " cannot move from "
              + cur.status()
              + " to "
              + next
              + "; allowed: "
              + cur.status().allowedNext());
    }
  }
}
