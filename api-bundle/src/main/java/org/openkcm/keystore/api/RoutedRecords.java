package org.openkcm.keystore.api;

import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.spi.BackendHealth;
import org.openkcm.keystore.spi.BackendInfo;
import org.openkcm.keystore.spi.KeyRecord;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The {@link org.openkcm.keystore.spi.Keystore} contract served by the core over all configured
 * backends, for callers that seal their own records (a remote crypto core using this runtime as its
 * keystore plugin). A new record goes where the routing rules send it; an existing record is found
 * wherever it lives. Every call runs through the plugin manager's guarded path: its deadline, its
 * circuit breaker, and the hot swap of a backend, during which calls fail with {@link
 * org.openkcm.keystore.model.BackendUnavailableException} rather than hang.
 *
 * <p>The sealed bytes are the caller's: the core neither opens nor checks them, and they never
 * reach {@link KeyService} callers' caches.
 */
@ProviderType
public interface RoutedRecords {

  /** Stores a new record in the backend the routing rules choose for its metadata (create only). */
  long store(KeyMetadata metadata, byte[] sealed) throws KeystoreException;

  /**
   * @return the record from whichever configured backend holds it
   */
  KeyRecord retrieve(KeyRef ref) throws KeystoreException;

  /**
   * Replaces the mutable metadata of a record, in the backend that holds it, if its revision still
   * matches.
   */
  long updateMetadata(KeyMetadata updated, long expectedRevision) throws KeystoreException;

  /**
   * Shreds the record in every configured backend that holds it. Idempotent. @return whether one
   * existed
   */
  boolean delete(KeyRef ref) throws KeystoreException;

  /**
   * @return matching metadata across every configured backend, merged in (id, version) order
   */
  Page<KeyMetadata> list(KeyFilter filter) throws KeystoreException;

  /**
   * @return the worst health among the configured backends (UP when all are up); never throws
   */
  BackendHealth health();

  /**
   * @return the routed store as a whole: persistent if any configured backend is, the smallest
   *     record limit
   */
  BackendInfo info();
}
