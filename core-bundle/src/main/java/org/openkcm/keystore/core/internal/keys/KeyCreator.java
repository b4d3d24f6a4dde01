package org.openkcm.keystore.core.internal.keys;

import java.util.Arrays;
import org.openkcm.keystore.api.CreateKeyRequest;
import org.openkcm.keystore.core.internal.cache.CachedKey;
import org.openkcm.keystore.core.internal.cache.KeyCache;
import org.openkcm.keystore.core.internal.crypto.EnvelopeSealer;
import org.openkcm.keystore.core.internal.crypto.ThreadCrypto;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyAlreadyExistsException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyNotFoundException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.OwnerType;
import org.openkcm.keystore.spi.KeyRecord;
import org.openkcm.keystore.spi.RootKeyProvider;

/**
 * Creates version 1 of a key, in one straight line: validate the request, open the parent's active
 * version, build the metadata, generate, seal, one atomic store in the routed backend ({@link
 * KeyPlacement#storeNew}), cache. A single store needs no saga: it either happened or not.
 */
final class KeyCreator {
  private final KeyPlacement placement;
  private final KeyResolver resolver;
  private final KeyVersions versions;
  private final RootKeyProvider root;

  KeyCreator(
      KeyPlacement placement, KeyResolver resolver, KeyVersions versions, RootKeyProvider root) {
    this.placement = placement;
    this.resolver = resolver;
    this.versions = versions;
    this.root = root;
  }

  KeyMetadata create(CreateKeyRequest req, KeyCache cache) throws KeystoreException {
    checkRequest(req);
    String id = req.keyId().orElseGet(() -> KeyIds.random(req.tier()));
    CachedKey parent = null;
    byte[] material = null;
    try {
      parent = req.tier() == KeyTier.L2 ? null : openActiveParent(req);
      KeyMetadata m = newMetadata(req, id, parent == null ? null : parent.metadata());
      if (req.keyId().isPresent()) {
        ensureUnused(m.ref());
      }
      material = ThreadCrypto.randomBytes(req.keySize() / 8);
      byte[] sealed =
          parent == null
              ? EnvelopeSealer.sealUnderRoot(m, material, root)
              : EnvelopeSealer.sealUnderParent(m, material, parent.material());
      placement.storeNew(m, sealed);
      // revision 1 is what a store produces (checked by the authenticated layer)
      cache.putPlaintext(m, material, new KeyRecord(m, sealed, 1));
      material = null; // the cache owns it now
      return m;
    } finally {
      wipe(parent == null ? null : parent.material());
      wipe(material);
    }
  }

  /** Version 1 of the new key, tagged with its parent's id (children are found by that tag). */
  private static KeyMetadata newMetadata(CreateKeyRequest req, String id, KeyMetadata parent)
      throws KeystoreException {
    KeyMetadata.Builder b =
        KeyMetadata.builder()
            .ref(KeyRef.of(id, 1))
            .tier(req.tier())
            .owner(req.owner())
            .algorithm(req.algorithm())
            .keySize(req.keySize())
            .status(req.initialStatus())
            .expiresAt(req.expiresAt().orElse(null))
            .tags(req.tags());
    if (parent != null) {
      b.parent(parent.ref()).tag(ReservedTags.PARENT, parent.id());
    }
    return b.build();
  }

  /**
   * @return the parent's active version, opened (its material is the caller's to zeroize)
   */
  private CachedKey openActiveParent(CreateKeyRequest req) throws KeystoreException {
    KeyMetadata parent = activeParent(req);
    CachedKey opened = resolver.resolve(parent.ref(), parent.tier());
    if (!opened.metadata().status().mayProtect()) {
      wipe(opened.material());
      throw new InvalidKeyRequestException(
          "parent",
          "key "
              + parent.ref()
              + " is "
              + opened.metadata().status()
              + "; only an ACTIVE parent wraps new keys");
    }
    return opened;
  }

  /**
   * The parent's active version, re-read from its backend (authenticated there, never only the
   * cache): a parent that a backend lost, that was revoked or expired, or that is being destroyed
   * wraps nothing new.
   */
  private KeyMetadata activeParent(CreateKeyRequest req) throws KeystoreException {
    String parentId = req.parentId().orElseThrow();
    KeyMetadata cached = versions.active(parentId);
    if (cached == null) {
      throw new InvalidKeyRequestException(
          "parent", "key '" + parentId + "' does not exist or has no ACTIVE version");
    }
    KeyMetadata parent;
    try {
      parent = placement.retrieve(cached.ref()).record().metadata();
    } catch (KeyNotFoundException e) {
      versions.forget(cached);
      throw new InvalidKeyRequestException(
          "parent", "key " + cached.ref() + " no longer exists in any configured backend");
    }
    if (parent.status() != KeyStatus.ACTIVE) {
      versions.forget(cached);
      throw new InvalidKeyRequestException(
          "parent",
          "key "
              + parent.ref()
              + " is "
              + parent.status()
              + "; only an ACTIVE parent wraps new keys");
    }
    KeyVersions.refuseIfExpired(parent, "parent");
    if (ReservedTags.SAGA_DESTROY.equals(parent.tags().get(ReservedTags.SAGA))) {
      throw new InvalidKeyRequestException("parent", "key '" + parentId + "' is being destroyed");
    }
    if (parent.tier() != req.tier().parentTier()) {
      throw new InvalidKeyRequestException(
          "parent",
          "key '"
              + parentId
              + "' is an "
              + parent.tier()
              + " key; an "
              + req.tier()
              + " key needs an "
              + req.tier().parentTier()
              + " parent");
    }
    return parent;
  }

  private static void checkRequest(CreateKeyRequest req) throws InvalidKeyRequestException {
    if (req.tier() == KeyTier.L2 && req.owner().type() != OwnerType.TENANT) {
      throw new InvalidKeyRequestException(
          "owner", "an L2 key belongs to a tenant, not to a " + req.owner().type());
    }
    if (!"AES".equalsIgnoreCase(req.algorithm())) {
      throw new InvalidKeyRequestException(
          "algorithm", "only AES keys are generated, not '" + req.algorithm() + "'");
    }
    if (req.keySize() != 128 && req.keySize() != 192 && req.keySize() != 256) {
      throw new InvalidKeyRequestException(
          "keySize", "AES keys are 128, 192 or 256 bits, not " + req.keySize());
    }
    ReservedTags.checkCallerTags(req.tags());
  }

  /** A caller-chosen id must not exist in any backend, not only in the one this key routes to. */
  private void ensureUnused(KeyRef ref) throws KeystoreException {
    if (placement.home(ref.id()).isPresent()) {
      throw new KeyAlreadyExistsException(ref, null, "key '" + ref.id() + "' already exists");
    }
  }

  static void wipe(byte[] b) {
    if (b != null) {
      Arrays.fill(b, (byte) 0);
    }
  }
}
