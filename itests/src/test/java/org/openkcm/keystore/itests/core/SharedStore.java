package org.openkcm.keystore.itests.core;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.ConcurrentUpdateException;
import org.openkcm.keystore.model.KeyAlreadyExistsException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyNotFoundException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.spi.BackendHealth;
import org.openkcm.keystore.spi.BackendInfo;
import org.openkcm.keystore.spi.KeyRecord;
import org.openkcm.keystore.spi.Keystore;

/**
 * A test backend whose records live in a map that several service instances can share, the way two
 * versions of the OpenBao bundle share one OpenBao server: replacing the service keeps the data.
 * Can be told to fail the Nth store (before writing) to stop a migration half-way.
 */
public final class SharedStore implements Keystore {
  private final String name;
  private final Map<KeyRef, KeyRecord> records;
  private final AtomicInteger stores = new AtomicInteger();
  private final AtomicInteger calls = new AtomicInteger();
  private volatile IntPredicate failStore = n -> false;
  private final AtomicInteger deletes = new AtomicInteger();
  private volatile IntPredicate failDelete = n -> false;

  public SharedStore(String name, Map<KeyRef, KeyRecord> records) {
    this.name = name;
    this.records = records;
  }

  public SharedStore(String name) {
    this(name, new ConcurrentSkipListMap<>());
  }

  /**
   * @return another service instance over the same records
   */
  public SharedStore twin() {
    return new SharedStore(name, records);
  }

  public void failStoresWhere(IntPredicate nth) {
    stores.set(0);
    failStore = nth;
  }

  public void failDeletesWhere(IntPredicate nth) {
    deletes.set(0);
    failDelete = nth;
  }

  public int size() {
    return records.size();
  }

  public int calls() {
    return calls.get();
  }

  public boolean holds(KeyRef ref) {
    return records.containsKey(ref);
  }

  @Override
  public BackendInfo info() {
    return new BackendInfo(name, true, 65536, "in-container test store");
  }

  @Override
  public long store(KeyMetadata metadata, byte[] sealed) throws KeystoreException {
    calls.incrementAndGet();
    if (failStore.test(stores.incrementAndGet())) {
      throw new BackendUnavailableException(
          name, metadata.ref(), "injected store failure", Duration.ofMillis(10), null);
    }
    KeyRecord r = new KeyRecord(metadata, sealed, 1);
    if (((ConcurrentSkipListMap<KeyRef, KeyRecord>) records).putIfAbsent(metadata.ref(), r)
        != null) {
      throw new KeyAlreadyExistsException(metadata.ref(), name, "exists");
    }
    return 1;
  }

  @Override
  public KeyRecord retrieve(KeyRef ref) throws KeystoreException {
    calls.incrementAndGet();
    KeyRecord r = records.get(ref);
    if (r == null) {
      throw new KeyNotFoundException(ref, name, "key " + ref + " not in " + name);
    }
    return r;
  }

  @Override
  public synchronized long updateMetadata(KeyMetadata updated, long expectedRevision)
      throws KeystoreException {
    KeyRecord r = retrieve(updated.ref());
    if (r.revision() != expectedRevision) {
      throw new ConcurrentUpdateException(updated.ref(), name, "revision moved");
    }
    byte[] sealed = r.sealed();
    records.put(updated.ref(), new KeyRecord(updated, sealed, r.revision() + 1));
    Arrays.fill(sealed, (byte) 0);
    return r.revision() + 1;
  }

  @Override
  public boolean delete(KeyRef ref) throws KeystoreException {
    calls.incrementAndGet();
    if (failDelete.test(deletes.incrementAndGet())) {
      throw new BackendUnavailableException(
          name, ref, "injected delete failure", Duration.ofMillis(10), null);
    }
    return records.remove(ref) != null;
  }

  @Override
  public Page<KeyMetadata> list(KeyFilter filter) {
    calls.incrementAndGet();
    return filter.collectPage(records.values().stream().map(KeyRecord::metadata).iterator());
  }

  @Override
  public BackendHealth health() {
    return BackendHealth.up(Duration.ZERO);
  }
}
