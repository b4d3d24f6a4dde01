package org.openkcm.keystore.core.internal.keys;

import java.util.Arrays;
import java.util.function.Supplier;
import org.openkcm.keystore.core.internal.cache.CachedKey;
import org.openkcm.keystore.core.internal.cache.KeyCache;
import org.openkcm.keystore.core.internal.cache.SealedEntry;
import org.openkcm.keystore.core.internal.crypto.EnvelopeSealer;
import org.openkcm.keystore.model.BackendSealedException;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.spi.RootKeyProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens keys: plaintext cache, else the sealed record (sealed cache, else its backend, else a stale
 * sealed copy while the backend is down and serve-stale allows), unwrapped along the parent chain,
 * whose members come through this same path and so are cached too.
 */
final class KeyResolver {
  private static final Logger LOG = LoggerFactory.getLogger(KeyResolver.class);

  private final KeyPlacement placement;
  private final Supplier<KeyCache> cache;
  private final RootKeyProvider root;
  private final RootRewrap rewrap;

  KeyResolver(KeyPlacement placement, Supplier<KeyCache> cache, RootKeyProvider root) {
    this.placement = placement;
    this.cache = cache;
    this.root = root;
    this.rewrap = new RootRewrap(root, cache);
  }

  RootRewrap rewrap() {
    return rewrap;
  }

  /**
   * @param tier the tier if known (parents), else {@code null}
   * @return metadata and a copy of the material that the caller owns and zeroizes
   * @throws InvalidKeyRequestException naming {@code status} if the version may not process data
   */
  CachedKey resolve(KeyRef ref, KeyTier tier) throws KeystoreException {
    KeyCache c = cache.get();
    // material whose state was read within the revocation bound; older state is read again first
    CachedKey hit = c.copyCurrent(ref, tier);
    if (hit != null) {
      if (!hit.metadata().status().mayProcess()) {
        Arrays.fill(hit.material(), (byte) 0);
        throw mayNotProcess(hit.metadata());
      }
      return hit;
    }
    SealedEntry s = sealed(ref, tier, c);
    KeyMetadata m = s.record().metadata();
    c.plaintextMissed(m.tier());
    if (!m.status().mayProcess()) {
      throw mayNotProcess(m);
    }
    byte[] parent = null;
    try {
      if (m.parent().isPresent()) {
        parent = resolve(m.parent().get(), m.tier().parentTier()).material();
      }
      // re-read past the revocation bound and unchanged (the parent chain checked as for an
      // unwrap): the cached material is what the unwrap would give
      CachedKey confirmed = c.confirmPlaintext(s.record());
      if (confirmed != null) {
        rewrap.afterOpen(s.record(), s.backend(), placement.directory());
        return confirmed;
      }
      byte[] material = EnvelopeSealer.open(m, s.record().sealed(), parent, root, s.backend());
      rewrap.afterOpen(s.record(), s.backend(), placement.directory());
      c.putPlaintext(m, material.clone(), s.record());
      return new CachedKey(m, material);
    } finally {
      if (parent != null) {
        Arrays.fill(parent, (byte) 0);
      }
    }
  }

  /**
   * @return the sealed record: from the cache if read within the revocation bound, else from its
   *     backend (one read per key for all concurrent callers, cached); while the backend cannot be
   *     asked, the cached copy within its TTL (then, with serve-stale, a stale one)
   */
  SealedEntry sealed(KeyRef ref, KeyTier tier, KeyCache c) throws KeystoreException {
    SealedEntry s = c.currentSealed(ref, tier);
    if (s != null) {
      return s;
    }
    try {
      return c.load(
          ref,
          () -> {
            Located l = placement.retrieve(ref);
            return new SealedEntry(l.record(), l.backend(), 0);
          });
    } catch (BackendUnavailableException | BackendSealedException e) {
      SealedEntry unconfirmed = c.unconfirmedSealed(ref);
      if (unconfirmed != null) {
        LOG.debug("Backend unavailable; key {} serves from its cached record within its TTL", ref);
        return unconfirmed;
      }
      SealedEntry stale = c.staleSealed(ref);
      if (stale == null) {
        throw e;
      }
      LOG.warn(
          "Backend '{}' unavailable; serving key {} from a stale cached record (serve-stale is on)",
          stale.backend(),
          ref);
      return stale;
    }
  }

  static InvalidKeyRequestException mayNotProcess(KeyMetadata m) {
    return new InvalidKeyRequestException(
        "status", "key " + m.ref() + " is " + m.status() + " and may not process data");
  }
}
