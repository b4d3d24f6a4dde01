package org.openkcm.keystore.openbao.internal;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
import org.openkcm.keystore.model.PermissionDeniedException;
import org.openkcm.keystore.spi.BackendHealth;
import org.openkcm.keystore.spi.BackendInfo;
import org.openkcm.keystore.spi.BackendState;
import org.openkcm.keystore.spi.KeyRecord;
import org.openkcm.keystore.spi.Keystore;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenBao KV v2 backend. One record = one KV v2 secret written in one request with
 * check-and-set (create: cas=0; update: cas = the expected revision, which is the KV version).
 * Owner and tier index entries are written before the record and removed after it, so a failure in
 * between leaves only index entries without a record, which listing skips. See docs/openbao.md for
 * the layout.
 *
 * <p>The component registers its service itself ({@link ServiceRegistrations}) instead of through
 * {@code @Component(service=...)}: Declarative Services would publish every configuration property,
 * the token and AppRole secret id included, as service properties for any bundle (and the Web
 * Console) to read.
 */
// service = {}: we register the service ourselves (name + ranking only); without it DS would also
// register
// the component as a Keystore service carrying the whole configuration, token included, as
// properties
@Component(
    service = {},
    configurationPid = OpenBaoConfig.PID,
    configurationPolicy = ConfigurationPolicy.REQUIRE,
    immediate = true)
@Designate(ocd = OpenBaoConfig.class)
public final class OpenBaoKeystore implements Keystore {
  static final String NAME = "openbao";

  /** The service property by which a backend tells the core its calls end on an interrupt. */
  static final String INTERRUPTIBLE_PROPERTY = "keystore.interruptible";

  /** OpenBao's storage entry limit is 1 MiB; base64 adds a third. */
  static final int MAX_RECORD_BYTES_CEILING = 512 * 1024;

  private static final Logger LOG = LoggerFactory.getLogger(OpenBaoKeystore.class);

  private BaoConnection conn;
  private PathLayout layout;
  private KvStore kv;
  private IndexedListing listing;
  private BackendInfo info;
  private ServiceRegistration<Keystore> registration;

  /** For Declarative Services; {@link #activate} configures. */
  public OpenBaoKeystore() {}

  /** For tests and embedding without OSGi. */
  OpenBaoKeystore(BaoSettings settings, String prefix, int maxRecordBytes) {
    configure(settings, prefix, maxRecordBytes);
  }

  @Activate
  void activate(BundleContext context, OpenBaoConfig config, Map<String, Object> properties) {
    configure(
        BaoSettings.from(config, BaoEnvironment.of(context)),
        config.prefix(),
        config.maxRecordBytes());
    registration =
        ServiceRegistrations.register(
            context,
            Keystore.class,
            this,
            Keystore.BACKEND_PROPERTY,
            NAME,
            properties,
            // every wait of a call (each HTTP answer, each future) ends on an interrupt and within
            // the read timeout: the core may call it on the caller's thread (docs/core.md)
            Map.of(INTERRUPTIBLE_PROPERTY, Boolean.TRUE));
    LOG.info("OpenBao backend active: {} prefix {}", conn.settings, layout.prefix);
  }

  private void configure(BaoSettings settings, String prefix, int maxRecordBytes) {
    if (maxRecordBytes < 1 || maxRecordBytes > MAX_RECORD_BYTES_CEILING) {
      throw new IllegalArgumentException(
          "maxRecordBytes: must be between 1 and " + MAX_RECORD_BYTES_CEILING);
    }
    this.layout = new PathLayout(settings.mount, prefix);
    this.conn = new BaoConnection(settings, NAME);
    this.kv = new KvStore(conn, layout);
    this.listing = new IndexedListing(kv, layout, NAME);
    this.info =
        new BackendInfo(
            NAME,
            true,
            Math.min(maxRecordBytes, Limits.MAX_SEALED_RECORD_BYTES),
            "OpenBao KV v2 at "
                + settings.addresses.stream()
                    .map(Object::toString)
                    .collect(java.util.stream.Collectors.joining(","))
                + ", "
                + layout.mount
                + "/"
                + layout.prefix);
  }

  @Deactivate
  void deactivate() {
    ServiceRegistrations.unregister(registration);
    registration = null;
    conn.close();
  }

  @Override
  public BackendInfo info() {
    return info;
  }

  @Override
  public long store(KeyMetadata metadata, byte[] sealed) throws KeystoreException {
    KeyRef ref = metadata.ref();
    String record = layout.record(ref);
    String ownerIx = layout.ownerIndex(metadata.owner(), ref);
    String tierIx = layout.tierIndex(metadata.tier(), ref);
    checkSealed(sealed);
    JsonObject pointer = new JsonObject();
    pointer.addProperty("key", ref.toString());
    // round trip 1: both index entries at once; the record is written only once both are in place
    kv.finishAll(
        List.of(
            kv.startWrite(ownerIx, pointer, null, ref), kv.startWrite(tierIx, pointer, null, ref)));
    // round trip 2: the record (create only) and its informative custom_metadata mirror at once
    KvStore.Pending<Long> write =
        kv.startWrite(record, RecordCodec.encode(metadata, sealed), 0L, ref);
    KvStore.Pending<Void> mirror =
        kv.startMetadata(record, RecordCodec.mirror(metadata), ref).alongside();
    long version;
    try {
      version = kv.finish(write);
    } catch (ConcurrentUpdateException exists) {
      finishMirror(mirror, ref);
      // also puts the existing record's mirror back over ours
      dropIndexUnlessOwnedBy(record, ref, ownerIx, tierIx, metadata);
      throw new KeyAlreadyExistsException(
          ref, NAME, "key " + ref + " already exists at " + layout.mount + "/data/" + record);
    } catch (PermissionDeniedException denied) {
      finishMirror(mirror, ref);
      dropIndexQuietly(ref, ownerIx, tierIx);
      throw denied;
    } catch (KeystoreException | RuntimeException other) {
      finishMirror(mirror, ref);
      throw other;
    }
    finishMirror(mirror, ref);
    return version;
  }

  @Override
  public KeyRecord retrieve(KeyRef ref) throws KeystoreException {
    String record = layout.record(ref);
    KvEntry e = kv.read(record, ref);
    if (e == null) {
      throw new KeyNotFoundException(
          ref, NAME, "key " + ref + " not found at " + layout.mount + "/data/" + record);
    }
    return RecordCodec.record(e, ref, NAME);
  }

  @Override
  public long updateMetadata(KeyMetadata updated, long expectedRevision) throws KeystoreException {
    return update(updated, null, expectedRevision);
  }

  @Override
  public long replaceSealed(KeyMetadata updated, byte[] sealed, long expectedRevision)
      throws KeystoreException {
    checkSealed(sealed);
    return update(updated, sealed, expectedRevision);
  }

  /** One CAS write of the whole record; {@code sealed} null carries the stored bytes over. */
  private long update(KeyMetadata updated, byte[] sealed, long expectedRevision)
      throws KeystoreException {
    KeyRef ref = updated.ref();
    String record = layout.record(ref);
    KvEntry current = kv.read(record, ref);
    if (current == null) {
      throw new KeyNotFoundException(
          ref, NAME, "key " + ref + " not found at " + layout.mount + "/data/" + record);
    }
    RecordCodec.metadata(current, ref, NAME).checkSameIdentity(updated);
    if (current.version != expectedRevision) {
      throw new ConcurrentUpdateException(
          ref,
          NAME,
          "key " + ref + " is at revision " + current.version + ", not " + expectedRevision);
    }
    // the CAS write and the mirror at once: one round trip after the read
    KvStore.Pending<Long> write =
        kv.startWrite(
            record,
            sealed == null
                ? RecordCodec.encode(updated, current.string("sealed"))
                : RecordCodec.encode(updated, sealed),
            expectedRevision,
            ref);
    KvStore.Pending<Void> mirror =
        kv.startMetadata(record, RecordCodec.mirror(updated), ref).alongside();
    long version;
    try {
      version = kv.finish(write);
    } catch (KeystoreException | RuntimeException failed) {
      finishMirror(mirror, ref);
      remirror(record, ref);
      throw failed;
    }
    finishMirror(mirror, ref);
    return version;
  }

  @Override
  public boolean delete(KeyRef ref) throws KeystoreException {
    String record = layout.record(ref);
    KvEntry current = kv.read(record, ref);
    KeyMetadata m = null;
    if (current != null) {
      try {
        m = RecordCodec.metadata(current, ref, NAME);
      } catch (KeystoreException unreadable) {
        LOG.warn("OpenBao: deleting unreadable record {}; its index entries stay (invisible)", ref);
      }
    }
    kv.destroyAll(record, ref);
    if (m != null) {
      // the record is shredded: leftover index entries are invisible, so failing here is only
      // logged
      dropIndexQuietly(ref, layout.ownerIndex(m.owner(), ref), layout.tierIndex(m.tier(), ref));
    }
    return current != null;
  }

  @Override
  public Page<KeyMetadata> list(KeyFilter filter) throws KeystoreException {
    return listing.list(filter);
  }

  @Override
  public BackendHealth health() {
    BackendHealth h = HealthProbe.check(conn);
    return h.state() == BackendState.UP || h.state() == BackendState.DEGRADED
        ? AccessProbe.check(conn, layout, h)
        : h;
  }

  BaoConnection connection() {
    return conn;
  }

  /**
   * @return requests sent so far (tests: listing cost, no request for bad ids).
   */
  long requestCount() {
    return kv.requests.get();
  }

  /**
   * @return round trips so far: the times a caller waited for answers (tests: what an operation
   *     puts on the critical path)
   */
  long roundTripCount() {
    return kv.roundTrips.get();
  }

  private void checkSealed(byte[] sealed) throws InvalidKeyRequestException {
    if (sealed == null || sealed.length == 0) {
      throw new InvalidKeyRequestException("sealed", "is empty");
    }
    if (sealed.length > info.maxRecordBytes()) {
      throw new InvalidKeyRequestException(
          "sealed", sealed.length + " bytes exceed the backend's " + info.maxRecordBytes());
    }
  }

  /** Best effort: the custom_metadata mirror is for operators; the record itself is what counts. */
  private void finishMirror(KvStore.Pending<Void> mirror, KeyRef ref) {
    try {
      kv.finish(mirror);
    } catch (KeystoreException e) {
      LOG.warn(
          "OpenBao: custom_metadata of {} not updated ({}); it is refreshed by the next update",
          ref,
          e.getMessage());
    }
  }

  /**
   * After a failed update: the mirror was sent with the update, so put the stored record's back
   * (best effort).
   */
  private void remirror(String record, KeyRef ref) {
    try {
      KvEntry e = kv.read(record, ref);
      if (e != null) {
        finishMirror(
            kv.startMetadata(record, RecordCodec.mirror(RecordCodec.metadata(e, ref, NAME)), ref),
            ref);
      }
    } catch (KeystoreException e) {
      LOG.warn(
          "OpenBao: custom_metadata of {} may show a failed update ({}); it is refreshed by the next update",
          ref,
          e.getMessage());
    }
  }

  /**
   * After a lost create race: keep the index entries only if the existing record has the same owner
   * and tier.
   */
  private void dropIndexUnlessOwnedBy(
      String record, KeyRef ref, String ownerIx, String tierIx, KeyMetadata ours) {
    try {
      KvEntry existing = kv.read(record, ref);
      KeyMetadata theirs = existing == null ? null : RecordCodec.metadata(existing, ref, NAME);
      if (theirs != null) {
        finishMirror(kv.startMetadata(record, RecordCodec.mirror(theirs), ref), ref);
      }
      if (theirs == null || !theirs.owner().equals(ours.owner())) {
        kv.destroyAll(ownerIx, ref);
      }
      if (theirs == null || theirs.tier() != ours.tier()) {
        kv.destroyAll(tierIx, ref);
      }
    } catch (KeystoreException e) {
      LOG.warn(
          "OpenBao: could not clean index entries of {} ({}); they stay invisible",
          ref,
          e.getMessage());
    }
  }

  /** All at once (one round trip): a sealed or hung server costs one timeout, not one per entry. */
  private void dropIndexQuietly(KeyRef ref, String... entries) {
    List<KvStore.Pending<Void>> drops = new ArrayList<>();
    for (String entry : entries) {
      drops.add(kv.startDestroyAll(entry, ref));
    }
    try {
      kv.finishAll(drops);
    } catch (KeystoreException e) {
      LOG.warn(
          "OpenBao: index entries of {} not removed ({}); they stay invisible",
          ref,
          e.getMessage());
    }
  }
}
