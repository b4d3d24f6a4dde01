package org.openkcm.keystore.inmemory.internal;

import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.openkcm.keystore.model.CapacityExceededException;
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
import org.openkcm.keystore.spi.BackendState;
import org.openkcm.keystore.spi.KeyRecord;
import org.openkcm.keystore.spi.Keystore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Volatile backend: records in a concurrent hash map (constant-time store and retrieve), with
 * sorted owner and tier indexes that give listings their (id, version) order and keep a listing by
 * owner or tier within that index, written in batches into log-structured sorted arrays ({@link
 * SecondaryIndex}). Bounded; sealed bytes are zeroized on delete and on shutdown.
 */
@Component(
    service = Keystore.class,
    configurationPid = InMemoryKeystore.PID,
    configurationPolicy = ConfigurationPolicy.OPTIONAL,
    property = {Keystore.BACKEND_PROPERTY + "=inmemory", "keystore.inline:Boolean=true"})
@Designate(ocd = InMemoryConfig.class)
public final class InMemoryKeystore implements Keystore, AutoCloseable {
  static final String PID = "org.openkcm.keystore.inmemory";
  private static final Logger LOG = LoggerFactory.getLogger(InMemoryKeystore.class);

  private final BackendInfo info;
  private final int maxEntries;
  private final ConcurrentHashMap<KeyRef, Entry> records = new ConcurrentHashMap<>();
  private final SecondaryIndex index = new SecondaryIndex(this::current, this::settled);
  private final AtomicInteger count = new AtomicInteger();

  /** One stored record; immutable except for zeroization of {@code sealed} when it is dropped. */
  private record Entry(KeyMetadata metadata, byte[] sealed, long revision) {}

  @Activate
  public InMemoryKeystore(InMemoryConfig config) {
    this(config.keystore_backend(), config.maxEntries());
    LOG.info(
        "InMemory backend '{}' active, at most {} entries (volatile: contents are lost on stop)",
        info.name(),
        maxEntries);
  }

  /** For tests and benchmarks outside OSGi. */
  public InMemoryKeystore(String name, int maxEntries) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be at least 1");
    }
    this.info =
        new BackendInfo(
            name, false, Limits.MAX_SEALED_RECORD_BYTES, "volatile, in this JVM's heap");
    this.maxEntries = maxEntries;
  }

  @Override
  public BackendInfo info() {
    return info;
  }

  @Override
  public long store(KeyMetadata metadata, byte[] sealed) throws KeystoreException {
    checkSize(sealed);
    if (count.incrementAndGet() > maxEntries) {
      count.decrementAndGet();
      throw new CapacityExceededException(
          metadata.ref(),
          info.name(),
          "backend '" + info.name() + "' is full (" + maxEntries + " entries)");
    }
    Entry entry = new Entry(metadata, sealed.clone(), 1);
    // index (queue the change) inside the key's atomic section: a delete racing a re-store of the
    // same ref cannot leave a record that listings miss (listing order comes from the indexes)
    Entry stored =
        records.computeIfAbsent(
            metadata.ref(),
            ref -> {
              index.add(metadata);
              return entry;
            });
    index.applyIfFull();
    if (stored != entry) {
      count.decrementAndGet();
      Arrays.fill(entry.sealed, (byte) 0);
      throw new KeyAlreadyExistsException(
          metadata.ref(),
          info.name(),
          "key " + metadata.ref() + " already exists in '" + info.name() + "'");
    }
    return entry.revision;
  }

  @Override
  public KeyRecord retrieve(KeyRef ref) throws KeystoreException {
    Entry e = records.get(ref);
    if (e == null) {
      throw notFound(ref);
    }
    return new KeyRecord(e.metadata, e.sealed, e.revision);
  }

  @Override
  public long updateMetadata(KeyMetadata updated, long expectedRevision) throws KeystoreException {
    return replace(updated, null, expectedRevision);
  }

  @Override
  public long replaceSealed(KeyMetadata updated, byte[] sealed, long expectedRevision)
      throws KeystoreException {
    checkSize(sealed);
    return replace(updated, sealed.clone(), expectedRevision);
  }

  /** {@code sealed} null keeps the stored bytes. */
  private long replace(KeyMetadata updated, byte[] sealed, long expectedRevision)
      throws KeystoreException {
    KeyRef ref = updated.ref();
    while (true) {
      Entry current = records.get(ref);
      if (current == null) {
        throw notFound(ref);
      }
      current.metadata.checkSameIdentity(updated);
      if (current.revision != expectedRevision) {
        throw new ConcurrentUpdateException(
            ref,
            info.name(),
            "key "
                + ref
                + " changed: revision "
                + current.revision
                + ", expected "
                + expectedRevision);
      }
      Entry next =
          new Entry(updated, sealed == null ? current.sealed : sealed, current.revision + 1);
      if (records.replace(ref, current, next)) {
        // the old bytes are not zeroized: a concurrent reader may still be copying them
        return next.revision;
      }
      // lost a race with another writer or a delete: re-evaluate against the new state
    }
  }

  @Override
  public boolean delete(KeyRef ref) {
    Entry[] removed = new Entry[1];
    records.computeIfPresent(
        ref,
        (k, current) -> {
          index.remove(current.metadata);
          removed[0] = current;
          return null;
        });
    index.applyIfFull();
    if (removed[0] == null) {
      return false;
    }
    count.decrementAndGet();
    Arrays.fill(removed[0].sealed, (byte) 0);
    return true;
  }

  @Override
  public Page<KeyMetadata> list(KeyFilter filter) {
    Iterator<KeyRef> refs = index.candidates(filter);
    return filter.collectPage(
        new Iterator<>() {
          private KeyMetadata next = advance();

          private KeyMetadata advance() {
            while (refs.hasNext()) {
              KeyRef ref = refs.next();
              if (SecondaryIndex.pastEnd(filter, ref)) {
                return null;
              }
              Entry e = records.get(ref);
              if (e != null) {
                return e.metadata;
              }
            }
            return null;
          }

          @Override
          public boolean hasNext() {
            return next != null;
          }

          @Override
          public KeyMetadata next() {
            KeyMetadata m = next;
            next = advance();
            return m;
          }
        });
  }

  @Override
  public BackendHealth health() {
    int held = count.get();
    if (held >= maxEntries * 0.9) {
      return BackendHealth.of(
          BackendState.DEGRADED, held + " of " + maxEntries + " entries used", Duration.ZERO);
    }
    return BackendHealth.up(Duration.ZERO);
  }

  /**
   * @return records held
   */
  public int size() {
    return count.get();
  }

  /** Zeroizes and drops every record. */
  @Deactivate
  @Override
  public void close() {
    for (KeyRef ref : records.keySet()) {
      delete(ref);
    }
    LOG.info("InMemory backend '{}' stopped; its records were zeroized", info.name());
  }

  private void checkSize(byte[] sealed) throws InvalidKeyRequestException {
    if (sealed == null || sealed.length == 0) {
      throw new InvalidKeyRequestException("material", "sealed record is empty");
    }
    if (sealed.length > info.maxRecordBytes()) {
      throw new InvalidKeyRequestException(
          "material",
          "sealed record of "
              + sealed.length
              + " bytes exceeds the "
              + info.maxRecordBytes()
              + " bytes backend '"
              + info.name()
              + "' accepts");
    }
  }

  private KeyMetadata current(KeyRef ref) {
    Entry e = records.get(ref);
    return e == null ? null : e.metadata;
  }

  /**
   * As {@link #current}, after any store or delete of {@code ref} in progress (it locks the bin).
   */
  private KeyMetadata settled(KeyRef ref) {
    Entry e = records.computeIfPresent(ref, (k, v) -> v);
    return e == null ? null : e.metadata;
  }

  private KeyNotFoundException notFound(KeyRef ref) {
    return new KeyNotFoundException(
        ref, info.name(), "key " + ref + " not found in '" + info.name() + "'");
  }

  @Override
  public String toString() {
    return "InMemoryKeystore[" + info.name() + ", " + count.get() + " records]";
  }
}
