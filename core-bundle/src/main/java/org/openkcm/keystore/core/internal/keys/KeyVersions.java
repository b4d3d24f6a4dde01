package org.openkcm.keystore.core.internal.keys;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.openkcm.keystore.core.internal.cache.KeyCache;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyNotFoundException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.spi.Keystore;

/**
 * The versions of a key as its home backend holds them, and the active one (cached, invalidated on
 * change).
 */
final class KeyVersions {
  private final KeyPlacement placement;
  private final Supplier<KeyCache> cache;

  KeyVersions(KeyPlacement placement, Supplier<KeyCache> cache) {
    this.placement = placement;
    this.cache = cache;
  }

  /**
   * @return the highest ACTIVE version, or null if the key does not exist or has none
   */
  KeyMetadata active(String keyId) throws KeystoreException {
    // cached for at most the revocation bound; concurrent callers share one read of the backend
    return cache
        .get()
        .activeOrLoad(
            keyId,
            () -> {
              Optional<Keystore> home = placement.home(keyId);
              return home.isEmpty()
                  ? null
                  : highestActive(KeyPlacement.versions(home.get(), keyId));
            });
  }

  /** Drops what this node cached about {@code m} (its active-version entry and records). */
  void forget(KeyMetadata m) {
    cache.get().invalidate(m.ref());
  }

  /**
   * @return the key's home backend and all its versions, read now
   */
  Versions read(String keyId) throws KeystoreException {
    Keystore home =
        placement
            .home(keyId)
            .orElseThrow(
                () ->
                    new KeyNotFoundException(
                        null, null, "key '" + keyId + "' not found in any configured backend"));
    List<KeyMetadata> all = KeyPlacement.versions(home, keyId);
    if (all.isEmpty()) {
      throw new KeyNotFoundException(null, home.info().name(), "key '" + keyId + "' not found");
    }
    return new Versions(home, all);
  }

  /**
   * @return the highest ACTIVE version whose listed state authenticated, or null
   */
  static KeyMetadata highestActive(List<KeyMetadata> all) {
    KeyMetadata best = null;
    for (KeyMetadata m : all) {
      if (m.status() == KeyStatus.ACTIVE
          && !StateKeys.isCorrupt(m)
          && (best == null || m.version() > best.version())) {
        best = m;
      }
    }
    return best;
  }

  /**
   * An expired key protects nothing new (it still decrypts and unwraps until destroyed).
   *
   * @throws InvalidKeyRequestException naming {@code field} if {@code m} has expired
   */
  static void refuseIfExpired(KeyMetadata m, String field) throws InvalidKeyRequestException {
    if (m.expiresAt().isPresent() && !m.expiresAt().get().isAfter(java.time.Instant.now())) {
      throw new InvalidKeyRequestException(
          field,
          "key "
              + m.ref()
              + " expired at "
              + m.expiresAt().get()
              + "; it still decrypts, but protects no new data (rotate it or extend its expiry)");
    }
  }

  /** A key's home and versions, ascending. */
  record Versions(Keystore home, List<KeyMetadata> all) {
    KeyMetadata active() {
      return highestActive(all);
    }

    int highest() {
      return all.get(all.size() - 1).version();
    }

    KeyMetadata first() {
      return all.get(0);
    }

    List<KeyRef> refs() {
      return all.stream().map(KeyMetadata::ref).toList();
    }
  }
}
