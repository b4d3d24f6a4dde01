package org.openkcm.keystore.api;

import java.util.List;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeystoreException;
import org.osgi.annotation.versioning.ProviderType;

/** The operator's view of the runtime, used by the Gogo commands and the Web Console page. */
@ProviderType
public interface KeystoreAdmin {

  /**
   * @return every backend that is configured or present, with its last known health
   */
  List<BackendStatus> backends();

  /** Checks one backend now, within its deadline. */
  BackendStatus checkHealth(String backend) throws KeystoreException;

  /**
   * @return the routing rules in evaluation order, the default last
   */
  List<RouteView> routes();

  /**
   * Where the routing rules send a new key with this metadata now (first matching rule, else the
   * default). Nothing is written or called; existing keys stay where they were stored.
   *
   * @return the backend name
   * @throws KeystoreException if the configuration names no backend for it
   * @since 1.2
   */
  default String routeOf(KeyMetadata newKey) throws KeystoreException {
    throw new UnsupportedOperationException("this KeystoreAdmin does not tell routes");
  }

  /**
   * Moves the keys matching {@code filter} (all pages) to {@code targetBackend}: copy, verify,
   * delete at the source, one key at a time. Stopped half-way, every key stays readable exactly
   * once. Refused (changing nothing) when the target does not survive a restart but matching keys
   * are held by a backend that does: the message names what would be lost. {@link
   * #migrate(KeyFilter, String, boolean)} with {@code force} moves them anyway.
   */
  MigrationReport migrate(KeyFilter filter, String targetBackend) throws KeystoreException;

  /**
   * {@link #migrate(KeyFilter, String)}, with {@code force = true} also onto a volatile backend.
   *
   * @since 1.1
   */
  default MigrationReport migrate(KeyFilter filter, String targetBackend, boolean force)
      throws KeystoreException {
    if (force) {
      throw new UnsupportedOperationException("this KeystoreAdmin cannot force a migration");
    }
    return migrate(filter, targetBackend);
  }
}
