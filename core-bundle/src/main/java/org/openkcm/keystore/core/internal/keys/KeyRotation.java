package org.openkcm.keystore.core.internal.keys;

import java.util.Map;
import java.util.TreeMap;
import org.openkcm.keystore.core.internal.cache.CachedKey;
import org.openkcm.keystore.core.internal.cache.KeyCache;
import org.openkcm.keystore.core.internal.crypto.EnvelopeSealer;
import org.openkcm.keystore.core.internal.crypto.ThreadCrypto;
import org.openkcm.keystore.model.ConcurrentUpdateException;
import org.openkcm.keystore.model.IntegrityException;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyAlreadyExistsException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyNotFoundException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.spi.Keystore;
import org.openkcm.keystore.spi.RootKeyProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rotation as a saga in three writes: (1) the new version is stored PENDING, tagged with its intent
 * ({@code openkcm.saga=rotate-from:<v>}); (2) the old active version becomes DEPRECATED; (3) the
 * new one becomes ACTIVE and loses the intent tag. A failure compensates the steps already done
 * (delete the pending version; restore the old version to ACTIVE, which is a rollback, not a
 * lifecycle move). If a compensation fails too, the intent tag tells the reconciler what to finish
 * or undo.
 */
final class KeyRotation {
  private static final Logger LOG = LoggerFactory.getLogger(KeyRotation.class);

  /**
   * Versions occupied by records the core did not write that one rotation skips before giving up.
   */
  static final int MAX_SKIPPED = 3;

  private final KeyVersions versions;
  private final KeyResolver resolver;
  private final RootKeyProvider root;

  KeyRotation(KeyVersions versions, KeyResolver resolver, RootKeyProvider root) {
    this.versions = versions;
    this.resolver = resolver;
    this.root = root;
  }

  KeyMetadata rotate(String keyId, KeyCache cache) throws KeystoreException {
    KeyVersions.Versions v = versions.read(keyId);
    KeyMetadata old = v.active();
    if (old == null) {
      throw new InvalidKeyRequestException(
          "status", "key '" + keyId + "' has no ACTIVE version to rotate");
    }
    Keystore home = v.home();
    byte[] material = ThreadCrypto.randomBytes(old.keySize() / 8);
    try {
      KeyMetadata pending = null;
      long rev = -1;
      for (int next = v.highest() + 1; rev < 0; next++) {
        pending = pendingVersion(old, next);
        rev =
            storeIntent(home, pending, seal(pending, material), next - v.highest() >= MAX_SKIPPED);
      }
      KeyMetadata intent = pending;
      try {
        MetadataUpdates.update(
            home,
            old.ref(),
            cur -> {
              if (cur.status() != KeyStatus.ACTIVE) {
                throw new ConcurrentUpdateException(
                    old.ref(),
                    home.info().name(),
                    "key "
                        + old.ref()
                        + " stopped being ACTIVE during rotation (now "
                        + cur.status()
                        + ")");
              }
              return MetadataUpdates.touched(cur).status(KeyStatus.DEPRECATED).build();
            });
      } catch (KeystoreException e) {
        compensate(home, intent.ref(), null, e);
        throw e;
      }
      KeyMetadata active = activate(home, intent, rev, old);
      cache.invalidate(old.ref());
      cache.invalidate(active.ref());
      cache.putPlaintext(active, material);
      material = null;
      LOG.info("Rotated key {}: {} ACTIVE, {} DEPRECATED", keyId, active.ref(), old.ref());
      return active;
    } finally {
      KeyCreator.wipe(material);
    }
  }

  private KeyMetadata pendingVersion(KeyMetadata old, int version) throws KeystoreException {
    Map<String, String> tags = new TreeMap<>(old.tags());
    KeyRef parent = null;
    if (old.tier() != KeyTier.L2) {
      String parentId = old.parent().orElseThrow().id();
      KeyMetadata p =
          versions.read(parentId).active(); // read now: wrap under the parent's current version
      if (p == null) {
        throw new InvalidKeyRequestException(
            "parent", "key '" + parentId + "' has no ACTIVE version to wrap the new version");
      }
      parent = p.ref();
    }
    return KeyMetadata.builder()
        .ref(KeyRef.of(old.id(), version))
        .tier(old.tier())
        .owner(old.owner())
        .algorithm(old.algorithm())
        .keySize(old.keySize())
        .parent(parent)
        .status(KeyStatus.PENDING)
        .tags(ReservedTags.withIntent(old.ref(), tags, ReservedTags.SAGA_ROTATE + old.version()))
        .build();
  }

  private byte[] seal(KeyMetadata pending, byte[] material) throws KeystoreException {
    if (pending.parent().isEmpty()) {
      return EnvelopeSealer.sealUnderRoot(pending, material, root);
    }
    CachedKey parent = resolver.resolve(pending.parent().get(), pending.tier().parentTier());
    try {
      return EnvelopeSealer.sealUnderParent(pending, material, parent.material());
    } finally {
      KeyCreator.wipe(parent.material());
    }
  }

  /**
   * @return the revision of the stored intent, or -1 if the version is occupied by a record the
   *     core did not write (its state fails authentication, e.g. planted in the backend): the
   *     rotation then takes the next version, and that record stays, listed as corrupt, for an
   *     operator
   * @throws ConcurrentUpdateException if an authenticated record holds the version: another
   *     rotation won
   */
  private static long storeIntent(Keystore home, KeyMetadata pending, byte[] sealed, boolean last)
      throws KeystoreException {
    try {
      return home.store(pending, sealed);
    } catch (KeyAlreadyExistsException e) {
      try {
        home.retrieve(pending.ref());
      } catch (IntegrityException occupant) {
        if (!last) {
          LOG.warn(
              "Rotation of '{}': {} is occupied by a record the core did not write ({}); using the next version",
              pending.id(),
              pending.ref(),
              occupant.getMessage());
          return -1;
        }
        throw occupant;
      } catch (KeyNotFoundException gone) {
        // removed meanwhile: report the race, the caller may try again
      }
      throw new ConcurrentUpdateException(
          pending.ref(),
          home.info().name(),
          "another rotation of '" + pending.id() + "' is under way",
          e);
    }
  }

  private static KeyMetadata activate(Keystore home, KeyMetadata pending, long rev, KeyMetadata old)
      throws KeystoreException {
    Map<String, String> tags = new TreeMap<>(pending.tags());
    tags.remove(ReservedTags.SAGA);
    KeyMetadata active =
        MetadataUpdates.touched(pending).status(KeyStatus.ACTIVE).tags(tags).build();
    try {
      home.updateMetadata(active, rev);
      return active;
    } catch (KeystoreException e) {
      compensate(home, pending.ref(), old, e);
      throw e;
    }
  }

  /**
   * Undoes the saga's done steps; on failure leaves the intent-tagged PENDING record for the
   * reconciler.
   */
  private static void compensate(
      Keystore home, KeyRef pending, KeyMetadata restoreActive, KeystoreException cause) {
    try {
      if (restoreActive != null) {
        MetadataUpdates.update(
            home,
            restoreActive.ref(),
            cur -> MetadataUpdates.touched(cur).status(KeyStatus.ACTIVE).build());
      }
      home.delete(pending);
      LOG.warn("Rotation of {} failed ({}); rolled back", pending.id(), cause.getMessage());
    } catch (KeystoreException e) {
      LOG.error(
          "Rotation of {} failed and could not be rolled back ({}); PENDING record {} is left for the reconciler",
          pending.id(),
          e.getMessage(),
          pending);
      cause.addSuppressed(e);
    }
  }
}
