package org.openkcm.keystore.core.internal.backend;

import java.util.List;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.spi.Keystore;

/**
 * The core's view of the backends in use, the seam between the plugin manager/router (which
 * provides it as a service inside this bundle) and the crypto core (which consumes it).
 *
 * <p>Every {@link Keystore} handed out here is <em>guarded</em>: each call runs under the
 * configured deadline, any non-{@link KeystoreException} is turned into a typed one naming the
 * backend, and a backend that is configured but absent (bundle stopped, being replaced) answers
 * every call with a {@link org.openkcm.keystore.model.BackendUnavailableException} instead of a
 * null or a hang. A guard always delegates to the currently best service of its name, so a replaced
 * backend is picked up without the caller re-asking.
 */
public interface BackendDirectory {

  /**
   * @return the backend a new key with this metadata goes to, by the routing rules (first match
   *     wins, then the default)
   */
  Keystore route(KeyMetadata newKey) throws KeystoreException;

  /**
   * @return every configured backend, in the routing table's order, each guarded: where an existing
   *     key may live (after a routing change, keys stay where they were stored)
   */
  List<Keystore> configured();

  /**
   * @return the configured backend of that name, guarded
   * @throws org.openkcm.keystore.model.InvalidKeyRequestException if configuration names no such
   *     backend
   */
  Keystore backend(String name) throws KeystoreException;

  /**
   * Lists metadata across every configured backend, merged in (id, version) order with one cursor
   * ({@link KeyFilter#collectPage} semantics). Metadata only, never material.
   */
  Page<KeyMetadata> list(KeyFilter filter) throws KeystoreException;

  /**
   * The same listing for people and callers (shell, console, {@code KeyService.list}): an
   * unreachable backend does not fail it, the page is {@linkplain Page#partial() partial} and names
   * it. Never for the core's own decisions (children, emptiness), which use {@link #list}.
   */
  default Page<KeyMetadata> listReachable(KeyFilter filter) throws KeystoreException {
    return list(filter);
  }

  /**
   * The crypto core hands the directory its re-authentication of migrated records (the core's state
   * MAC binds the revision and the time a record was written, so a copy in another backend must be
   * stamped anew, its source state verified first); {@code null} when the core goes away. A
   * directory without migrations ignores it.
   */
  default void restampMigrationsWith(
      org.openkcm.keystore.core.internal.backend.KeyMigrator.Restamp r) {}
}
