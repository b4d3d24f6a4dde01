package org.openkcm.keystore.core.internal.records;

import java.time.Duration;
import java.util.List;
import org.openkcm.keystore.api.RoutedRecords;
import org.openkcm.keystore.core.internal.backend.BackendDirectory;
import org.openkcm.keystore.model.BackendSealedException;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyAlreadyExistsException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyNotFoundException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.spi.BackendHealth;
import org.openkcm.keystore.spi.BackendInfo;
import org.openkcm.keystore.spi.BackendState;
import org.openkcm.keystore.spi.KeyRecord;
import org.openkcm.keystore.spi.Keystore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@link RoutedRecords} over the plugin manager's {@link BackendDirectory}: every backend it
 * touches is the guarded one (deadline, breaker, hot swap), so this class only decides
 * <em>which</em> backend.
 */
@Component(service = RoutedRecords.class)
public final class RoutedRecordService implements RoutedRecords {
  private final BackendDirectory directory;

  @Activate
  public RoutedRecordService(@Reference BackendDirectory directory) {
    this.directory = directory;
  }

  @Override
  public long store(KeyMetadata metadata, byte[] sealed) throws KeystoreException {
    required("metadata", metadata);
    required("sealed", sealed);
    // create only, across backends too: a record already held elsewhere (after a routing change) is
    // not stored twice
    if (locate(metadata.ref()) != null) {
      throw new KeyAlreadyExistsException(
          metadata.ref(), null, "record " + metadata.ref() + " already exists");
    }
    return directory.route(metadata).store(metadata, sealed);
  }

  @Override
  public KeyRecord retrieve(KeyRef ref) throws KeystoreException {
    return located(required("ref", ref)).record();
  }

  @Override
  public long updateMetadata(KeyMetadata updated, long expectedRevision) throws KeystoreException {
    Found f = located(required("metadata", updated).ref());
    return f.keystore().updateMetadata(updated, expectedRevision);
  }

  @Override
  public boolean delete(KeyRef ref) throws KeystoreException {
    required("ref", ref);
    boolean existed = false;
    for (Keystore ks : directory.configured()) {
      existed |= ks.delete(ref);
    }
    return existed;
  }

  @Override
  public Page<KeyMetadata> list(KeyFilter filter) throws KeystoreException {
    return directory.list(required("filter", filter));
  }

  @Override
  public BackendHealth health() {
    List<Keystore> all = directory.configured();
    BackendHealth worst = BackendHealth.up(Duration.ZERO);
    for (Keystore ks : all) {
      BackendHealth h = ks.health();
      if (rank(h.state()) > rank(worst.state())
          || h.latency().compareTo(worst.latency()) > 0 && h.state() == worst.state()) {
        worst = BackendHealth.of(h.state(), ks.info().name() + ": " + h.detail(), h.latency());
      }
    }
    return worst;
  }

  @Override
  public BackendInfo info() {
    boolean persistent = false;
    int max = Integer.MAX_VALUE;
    for (Keystore ks : directory.configured()) {
      BackendInfo i = ks.info();
      persistent |= i.persistent();
      max = Math.min(max, i.maxRecordBytes());
    }
    return new BackendInfo(
        "routed",
        persistent,
        max == Integer.MAX_VALUE ? 0 : max,
        "every configured backend, by the routing rules");
  }

  private record Found(Keystore keystore, KeyRecord record) {}

  private Found located(KeyRef ref) throws KeystoreException {
    Found f = locate(ref);
    if (f == null) {
      throw new KeyNotFoundException(
          ref, null, "record " + ref + " not found in any configured backend");
    }
    return f;
  }

  /**
   * @return the backend holding the record, or null; a backend that is down fails the search
   *     (absent cannot be told from unreachable)
   */
  private Found locate(KeyRef ref) throws KeystoreException {
    KeystoreException down = null;
    for (Keystore ks : directory.configured()) {
      try {
        return new Found(ks, ks.retrieve(ref));
      } catch (KeyNotFoundException e) {
        // next backend
      } catch (BackendUnavailableException | BackendSealedException e) {
        down = e;
      }
    }
    if (down != null) {
      throw down;
    }
    return null;
  }

  private static int rank(BackendState s) {
    return switch (s) {
      case UP -> 0;
      case DEGRADED -> 1;
      case SEALED -> 2;
      case UNAVAILABLE -> 3;
    };
  }

  private static <T> T required(String field, T value) throws InvalidKeyRequestException {
    if (value == null) {
      throw new InvalidKeyRequestException(field, "is required");
    }
    return value;
  }
}
