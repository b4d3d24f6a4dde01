package org.openkcm.keystore.spi;

import org.openkcm.keystore.model.BackendSealedException;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.CapacityExceededException;
import org.openkcm.keystore.model.ConcurrentUpdateException;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyAlreadyExistsException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyNotFoundException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Page;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A storage backend for sealed key records. Each backend bundle registers one as an OSGi service
 * with the service property {@value #BACKEND_PROPERTY} set to its name; the core uses a backend
 * only when its configuration names it, and service ranking only breaks ties between two services
 * of the same name (which is how an updated bundle takes over without a gap).
 *
 * <p>Contract, checked for every backend by the conformance kit:
 *
 * <ul>
 *   <li>Records are keyed by (id, version). A record is written atomically: metadata and sealed
 *       bytes together or not at all. A failed call leaves no partial state.
 *   <li>Every method is thread-safe and bounded in time; a backend that cannot answer throws {@link
 *       BackendUnavailableException} rather than hang, and never lets a driver, HTTP or runtime
 *       exception escape.
 *   <li>Listing returns metadata only, in ascending (id, version) order, paging with {@link
 *       KeyFilter#collectPage} semantics; its cost grows with the matches, not with the store.
 *   <li>Sealed bytes are opaque: a backend never interprets, logs or prints them.
 *   <li>Revisions count writes: {@link #store} returns 1 and a successful {@link #updateMetadata}
 *       at revision r returns r + 1, as does a successful {@link #replaceSealed}. The core binds
 *       its authentication of a record's state to that number.
 * </ul>
 */
@ConsumerType
public interface Keystore {

  /** Service property naming the backend, e.g. {@code inmemory} or {@code openbao}. */
  String BACKEND_PROPERTY = "keystore.backend";

  /**
   * @return name and capabilities; constant for the life of the service.
   */
  BackendInfo info();

  /**
   * Stores a new record (create only).
   *
   * @return the record's first revision
   * @throws KeyAlreadyExistsException if (id, version) already exists; the stored record is
   *     unchanged
   * @throws InvalidKeyRequestException if the sealed bytes are empty or exceed {@link
   *     BackendInfo#maxRecordBytes()}
   * @throws CapacityExceededException if the backend is full
   * @throws BackendSealedException if sealed; {@link BackendUnavailableException} if unreachable
   */
  long store(KeyMetadata metadata, byte[] sealed) throws KeystoreException;

  /**
   * @return the record with its current revision
   * @throws KeyNotFoundException if there is no such (id, version)
   */
  KeyRecord retrieve(KeyRef ref) throws KeystoreException;

  /**
   * Replaces the mutable metadata (status, updated time, expiry, tags) of an existing record if its
   * revision is still {@code expectedRevision}. Identity fields must not change ({@link
   * KeyMetadata#checkSameIdentity}).
   *
   * @return the new revision
   * @throws ConcurrentUpdateException if another writer changed the record first
   * @throws KeyNotFoundException if there is no such record
   * @throws InvalidKeyRequestException if an identity field would change
   */
  long updateMetadata(KeyMetadata updated, long expectedRevision) throws KeystoreException;

  /**
   * Replaces the sealed bytes and the mutable metadata of an existing record together, atomically,
   * if its revision is still {@code expectedRevision}: the core re-wraps a record's DEK under a new
   * root key with it, so a concurrent writer always wins and the record is never lost or half
   * written. Identity fields must not change. The old sealed bytes are gone once it returns (as far
   * as the backend controls them).
   *
   * <p>The default refuses with {@link InvalidKeyRequestException} (field {@code sealed}) and
   * changes nothing; the core then leaves the record as it is (still openable under the root key
   * that wrapped it) and reports it as not rewrapped.
   *
   * @return the new revision, {@code expectedRevision + 1}
   * @throws ConcurrentUpdateException if another writer changed the record first
   * @throws KeyNotFoundException if there is no such record
   * @throws InvalidKeyRequestException if an identity field would change, the sealed bytes are
   *     empty or exceed {@link BackendInfo#maxRecordBytes()}, or the backend cannot replace sealed
   *     bytes (the default)
   * @since 1.2
   */
  default long replaceSealed(KeyMetadata updated, byte[] sealed, long expectedRevision)
      throws KeystoreException {
    throw new InvalidKeyRequestException(
        "sealed",
        "backend '" + info().name() + "' cannot replace a record's sealed bytes (rewrap)");
  }

  /**
   * Permanently removes a record and every trace of its sealed bytes the backend controls (shred).
   * Idempotent.
   *
   * @return whether a record existed
   */
  boolean delete(KeyRef ref) throws KeystoreException;

  /**
   * @return one page of matching metadata, in ascending (id, version) order
   */
  Page<KeyMetadata> list(KeyFilter filter) throws KeystoreException;

  /**
   * @return the backend's current health, measured now, within the backend's own deadline; never
   *     throws.
   */
  BackendHealth health();
}
