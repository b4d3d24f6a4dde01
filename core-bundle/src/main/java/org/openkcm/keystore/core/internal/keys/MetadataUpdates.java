package org.openkcm.keystore.core.internal.keys;

import java.time.Instant;
import org.openkcm.keystore.model.ConcurrentUpdateException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.spi.KeyRecord;
import org.openkcm.keystore.spi.Keystore;

/**
 * Read-modify-write of one record's metadata with optimistic concurrency: the backend accepts the
 * write only at the revision that was read; a lost race re-reads and re-applies the change (which
 * re-checks its own preconditions against the winner's state), a bounded number of times.
 */
final class MetadataUpdates {
  static final int ATTEMPTS = 5;

  /** A change to apply to the current metadata; throws to refuse it in that state. */
  @FunctionalInterface
  interface Change {
    KeyMetadata apply(KeyMetadata current) throws KeystoreException;
  }

  private MetadataUpdates() {}

  /**
   * @return the metadata as written
   */
  static KeyMetadata update(Keystore ks, KeyRef ref, Change change) throws KeystoreException {
    ConcurrentUpdateException last = null;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      KeyRecord current = ks.retrieve(ref);
      KeyMetadata next = change.apply(current.metadata());
      try {
        ks.updateMetadata(next, current.revision());
        return next;
      } catch (ConcurrentUpdateException e) {
        last = e;
      }
    }
    throw new ConcurrentUpdateException(
        ref,
        ks.info().name(),
        "key " + ref + " kept changing under " + ATTEMPTS + " attempts to update it; try again",
        last);
  }

  /**
   * @return a builder of {@code m} stamped as updated now
   */
  static KeyMetadata.Builder touched(KeyMetadata m) {
    return m.toBuilder().updatedAt(Instant.now());
  }
}
