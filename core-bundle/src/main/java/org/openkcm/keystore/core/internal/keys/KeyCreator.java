package org.openkcm.keystore.core.internal.keys;

import java.util.Arrays;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.openkcm.keystore.api.CreateKeyRequest;
import org.openkcm.keystore.core.internal.cache.CachedKey;
import org.openkcm.keystore.core.internal.cache.KeyCache;
import org.openkcm.keystore.core.internal.crypto.EnvelopeSealer;
import org.openkcm.keystore.core.internal.crypto.ThreadCrypto;
import org.openkcm.keystore.model.BackendUnavailableException;
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
import org.openkcm.keystore.spi.Keystore;
import org.openkcm.keystore.spi.RootKeyProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates version 1 of a key, in one straight line: validate the request, open the parent's active
 * version, build the metadata, generate, seal, one atomic store in the routed backend ({@link
 * KeyPlacement#storeNew}), cache. A single store needs no saga: it either happened or not.
 *
 * <p>The parent's state is re-read from its backend on every create (never only the cache). When
 * the new key goes to a persistent (remote) backend, that re-read runs while the store is under way
 * ({@link ParentCheck}) instead of before it, so it costs no round trip of its own; the create
 * answers only once both are done, and a store whose parent check failed is deleted again before
 * the caller gets the check's error. A new key kept in an in-process backend (L4 in InMemory)
 * checks first and stores after, as a hand-off would cost more than the store.
 */
final class KeyCreator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KeyCreator.class);

  private final KeyPlacement placement;
  private final KeyResolver resolver;
  private final KeyVersions versions;
  private final RootKeyProvider root;

  /**
   * Threads re-reading parents while their children are stored. Bounded; when all are busy (or
   * after {@link #close}) the caller re-reads the parent itself before the store, as a create
   * always did.
   */
  private final ThreadPoolExecutor checks =
      new ThreadPoolExecutor(
          0,
          64,
          30,
          TimeUnit.SECONDS,
          new SynchronousQueue<>(),
          r -> {
            Thread t = new Thread(r, "keystore-parent-check");
            t.setDaemon(true);
            return t;
          });

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
    KeyMetadata cached = null;
    KeyMetadata m = null;
    Keystore target = null;
    if (req.tier() != KeyTier.L2) {
      cached = cachedParent(req);
      checkParentTier(req, cached);
      try {
        // the new key names only the parent's ref and id: the cached version's are the stored one's
        m = newMetadata(req, id, cached);
        target = placement.route(m);
      } catch (KeystoreException | RuntimeException thrownAgainBelow) {
        // after the parent check, in the usual order
        m = null;
        target = null;
      }
      if (target != null && target.info().persistent()) {
        return createOverlapped(req, cached, m, target, cache);
      }
    }
    CachedKey parent = null;
    byte[] material = null;
    try {
      parent = cached == null ? null : openParent(activeParent(req, cached));
      if (m == null) {
        m = newMetadata(req, id, parent == null ? null : parent.metadata());
      }
      if (req.keyId().isPresent()) {
        ensureUnused(m.ref());
      }
      material = ThreadCrypto.randomBytes(req.keySize() / 8);
      byte[] sealed =
          parent == null
              ? EnvelopeSealer.sealUnderRoot(m, material, root)
              : EnvelopeSealer.sealUnderParent(m, material, parent.material());
      if (target == null) {
        placement.storeNew(m, sealed);
      } else {
        placement.storeIn(target, m, sealed);
      }
      // revision 1 is what a store produces (checked by the authenticated layer)
      cache.putPlaintext(m, material, new KeyRecord(m, sealed, 1));
      material = null; // the cache owns it now
      return m;
    } finally {
      wipe(parent == null ? null : parent.material());
      wipe(material);
    }
  }

  /**
   * The parent's re-read runs while the child is stored: validate, open the parent (its material
   * from the cache within the revocation bound, as every open), seal, store; then the re-read's
   * verdict. A failed verdict deletes the stored child again before its error is thrown; a failure
   * before or during the store gives way to the verdict's error, as if the parent had been checked
   * first (except a store whose outcome is unknown: that is the caller's answer then).
   */
  private KeyMetadata createOverlapped(
      CreateKeyRequest req, KeyMetadata cached, KeyMetadata m, Keystore target, KeyCache cache)
      throws KeystoreException {
    ParentCheck check = new ParentCheck(() -> activeParent(req, cached));
    check.start(checks);
    CachedKey parent = null;
    byte[] material = null;
    byte[] sealed;
    try {
      parent = openParent(cached);
      if (req.keyId().isPresent()) {
        ensureUnused(m.ref());
      }
      material = ThreadCrypto.randomBytes(req.keySize() / 8);
      sealed = EnvelopeSealer.sealUnderParent(m, material, parent.material());
    } catch (KeystoreException e) {
      wipe(material);
      throw check.failureOr(e);
    } catch (RuntimeException e) {
      wipe(material);
      throw check.failureOr(e);
    } finally {
      wipe(parent == null ? null : parent.material());
    }
    try {
      placement.storeIn(target, m, sealed);
    } catch (BackendUnavailableException lost) {
      wipe(material);
      if (!lost.certainlyNotSent()) {
        check.awaitQuietly();
        throw lost; // the child may or may not be stored: the caller must know that
      }
      throw check.failureOr(lost);
    } catch (KeystoreException e) {
      wipe(material);
      throw check.failureOr(e);
    } catch (RuntimeException e) {
      wipe(material);
      throw check.failureOr(e);
    }
    try {
      check.await();
    } catch (KeystoreException | RuntimeException refused) {
      undo(target, m, refused);
      wipe(material);
      throw refused;
    }
    cache.putPlaintext(m, material, new KeyRecord(m, sealed, 1));
    return m;
  }

  /** The parent check refused a child already stored: delete it again (never acknowledged). */
  private void undo(Keystore target, KeyMetadata child, Exception refused) {
    try {
      target.delete(child.ref());
      placement.forget(child.id());
    } catch (KeystoreException | RuntimeException e) {
      refused.addSuppressed(e);
      LOG.warn(
          "Key {} was stored while its parent check failed and could not be deleted again ({}):"
              + " it cannot open while its parent is not ACTIVE; destroy it by id",
          child.ref(),
          e.getClass().getSimpleName());
    }
  }

  @Override
  public void close() {
    checks.shutdownNow();
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
   * @return {@code parent} opened (material within the revocation bound, as every open)
   */
  private CachedKey openParent(KeyMetadata parent) throws KeystoreException {
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
   * @return the parent's active version as this node knows it (cached for at most the revocation
   *     bound); {@link #activeParent} checks it against its backend
   */
  private KeyMetadata cachedParent(CreateKeyRequest req) throws KeystoreException {
    String parentId = req.parentId().orElseThrow();
    KeyMetadata cached = versions.active(parentId);
    if (cached == null) {
      throw new InvalidKeyRequestException(
          "parent", "key '" + parentId + "' does not exist or has no ACTIVE version");
    }
    return cached;
  }

  /**
   * The parent's active version, re-read from its backend (authenticated there, never only the
   * cache): a parent that a backend lost, that was revoked or expired, or that is being destroyed
   * wraps nothing new.
   */
  private KeyMetadata activeParent(CreateKeyRequest req, KeyMetadata cached)
      throws KeystoreException {
    String parentId = cached.id();
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
    if (ReservedTags.isDestroying(parent.tags())) {
      throw new InvalidKeyRequestException("parent", "key '" + parentId + "' is being destroyed");
    }
    checkParentTier(req, parent);
    return parent;
  }

  /** The tier is an identity field: the cached version's is the stored one's. */
  private static void checkParentTier(CreateKeyRequest req, KeyMetadata parent)
      throws InvalidKeyRequestException {
    if (parent.tier() != req.tier().parentTier()) {
      throw new InvalidKeyRequestException(
          "parent",
          "key '"
              + parent.id()
              + "' is an "
              + parent.tier()
              + " key; an "
              + req.tier()
              + " key needs an "
              + req.tier().parentTier()
              + " parent");
    }
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
