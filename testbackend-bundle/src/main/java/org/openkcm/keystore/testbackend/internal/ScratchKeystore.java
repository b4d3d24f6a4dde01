package org.openkcm.keystore.testbackend.internal;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ConcurrentSkipListMap;
import org.openkcm.keystore.model.ConcurrentUpdateException;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyAlreadyExistsException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyNotFoundException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Limits;
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.spi.BackendHealth;
import org.openkcm.keystore.spi.BackendInfo;
import org.openkcm.keystore.spi.KeyRecord;
import org.openkcm.keystore.spi.Keystore;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * The smallest honest backend: a sorted concurrent map, so listing pages in (id, version) order.
 * Unlike InMemory it has no secondary indexes (a listing walks every record), which is fine for its
 * one job: being dropped into bundles/ of a running runtime and taken out again. Sealed bytes are
 * zeroized on delete and when the bundle stops.
 */
@Component(
    service = Keystore.class,
    property = Keystore.BACKEND_PROPERTY + "=" + ScratchKeystore.NAME)
public final class ScratchKeystore implements Keystore {
  static final String NAME = "scratch";

  private final BackendInfo info =
      new BackendInfo(
          NAME, false, Limits.MAX_SEALED_RECORD_BYTES, "volatile hot-deploy test backend");
  private final ConcurrentSkipListMap<KeyRef, Entry> records = new ConcurrentSkipListMap<>();

  /**
   * One record; {@code sealed} is owned here (KeyRecord hands out copies), so it can be zeroized.
   */
  private record Entry(KeyMetadata metadata, byte[] sealed, long revision) {}

  @Override
  public BackendInfo info() {
    return info;
  }

  @Override
  public long store(KeyMetadata metadata, byte[] sealed) throws KeystoreException {
    if (sealed == null || sealed.length == 0 || sealed.length > info.maxRecordBytes()) {
      throw new InvalidKeyRequestException(
          "material", "sealed record must be 1.." + info.maxRecordBytes() + " bytes");
    }
    Entry fresh = new Entry(metadata, sealed.clone(), 1);
    if (records.putIfAbsent(metadata.ref(), fresh) != null) {
      Arrays.fill(fresh.sealed, (byte) 0);
      throw new KeyAlreadyExistsException(
          metadata.ref(), NAME, "key " + metadata.ref() + " already exists in '" + NAME + "'");
    }
    return 1;
  }

  @Override
  public KeyRecord retrieve(KeyRef ref) throws KeystoreException {
    Entry e = entry(ref);
    return new KeyRecord(e.metadata, e.sealed, e.revision);
  }

  private Entry entry(KeyRef ref) throws KeyNotFoundException {
    Entry e = records.get(ref);
    if (e == null) {
      throw new KeyNotFoundException(ref, NAME, "key " + ref + " not found in '" + NAME + "'");
    }
    return e;
  }

  @Override
  public long updateMetadata(KeyMetadata updated, long expectedRevision) throws KeystoreException {
    KeyRef ref = updated.ref();
    while (true) {
      Entry current = entry(ref);
      current.metadata.checkSameIdentity(updated);
      if (current.revision != expectedRevision) {
        throw new ConcurrentUpdateException(
            ref,
            NAME,
            "key "
                + ref
                + " changed: revision "
                + current.revision
                + ", expected "
                + expectedRevision);
      }
      Entry next = new Entry(updated, current.sealed, current.revision + 1);
      if (records.replace(ref, current, next)) {
        return next.revision;
      }
    }
  }

  @Override
  public boolean delete(KeyRef ref) {
    Entry removed = records.remove(ref);
    if (removed != null) {
      Arrays.fill(removed.sealed, (byte) 0);
    }
    return removed != null;
  }

  @Override
  public Page<KeyMetadata> list(KeyFilter filter) {
    var from = filter.after().map(a -> records.tailMap(a, false)).orElse(records);
    return filter.collectPage(from.values().stream().map(Entry::metadata).iterator());
  }

  @Override
  public BackendHealth health() {
    return BackendHealth.up(Duration.ZERO);
  }

  /** Zeroizes and drops every record. */
  @Deactivate
  void close() {
    records.keySet().forEach(this::delete);
  }
}
