package org.openkcm.keystore.postgres.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.ConcurrentUpdateException;
import org.openkcm.keystore.model.InvalidKeyRequestException;
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
 * The PostgreSQL backend: one row per (id, version) holding the metadata columns, the sealed bytes
 * and a revision. Every write is one autocommitted statement, so a record is there completely or
 * not at all; create relies on the primary key (a lost race is a unique violation), a metadata
 * update is a compare-and-set on the revision ({@code UPDATE ... WHERE revision = ?}), delete
 * removes the row. The schema is created and migrated by {@link SchemaMigrator} before the first
 * operation. See docs/postgres.md.
 *
 * <p>Like the OpenBao backend it registers its service itself, with the name and ranking only: DS
 * would otherwise publish the whole configuration as service properties.
 */
@Component(
    service = {},
    configurationPid = PostgresConfig.PID,
    configurationPolicy = ConfigurationPolicy.REQUIRE,
    immediate = true)
@Designate(ocd = PostgresConfig.class)
public final class PostgresKeystore implements Keystore {
  static final String NAME = "postgres";
  private static final Logger LOG = LoggerFactory.getLogger(PostgresKeystore.class);

  private PgPool pool;
  private RecordRows rows;
  private BackendInfo info;
  private volatile boolean migrated;
  private ServiceRegistration<Keystore> registration;

  /** For Declarative Services; {@link #activate} configures. */
  public PostgresKeystore() {}

  /** For tests and embedding without OSGi. */
  PostgresKeystore(PgSettings settings) {
    configure(settings);
  }

  @Activate
  void activate(BundleContext context, PostgresConfig config, Map<String, Object> properties) {
    configure(PgSettings.from(config, properties));
    try {
      ensureSchema(null);
    } catch (KeystoreException e) {
      // the service still registers: health says UNAVAILABLE and the first call that reaches the
      // database migrates
      LOG.warn(
          "PostgreSQL backend: schema not ready yet ({}); retried on first use", e.getMessage());
    }
    registration =
        ServiceRegistrations.register(
            context, Keystore.class, this, Keystore.BACKEND_PROPERTY, NAME, properties);
    LOG.info("PostgreSQL backend active: {}", pool.settings);
  }

  private void configure(PgSettings settings) {
    this.pool = new PgPool(settings, NAME);
    this.rows = new RecordRows(settings.schema);
    this.info =
        new BackendInfo(
            NAME,
            true,
            settings.maxRecordBytes,
            "PostgreSQL at " + settings.url + ", schema " + settings.schema);
  }

  @Deactivate
  void deactivate() {
    ServiceRegistrations.unregister(registration);
    registration = null;
    pool.close();
  }

  @Override
  public BackendInfo info() {
    return info;
  }

  @Override
  public long store(KeyMetadata metadata, byte[] sealed) throws KeystoreException {
    KeyRef ref = metadata.ref();
    checkSealed(sealed);
    try (Connection c = connection(ref);
        PreparedStatement ps = c.prepareStatement(rows.insert)) {
      RecordRows.bindInsert(ps, metadata, sealed);
      ps.executeUpdate();
      return 1L;
    } catch (SQLException e) {
      throw PgErrors.map(NAME, ref, "store " + ref, e);
    }
  }

  @Override
  public KeyRecord retrieve(KeyRef ref) throws KeystoreException {
    try (Connection c = connection(ref);
        PreparedStatement ps = c.prepareStatement(rows.select)) {
      RecordRows.bindRef(ps, ref);
      try (ResultSet r = ps.executeQuery()) {
        if (!r.next()) {
          throw notFound(ref);
        }
        KeyMetadata m = RecordRows.metadata(r, NAME);
        long revision = r.getLong(15);
        byte[] sealed = r.getBytes(16);
        java.time.OffsetDateTime writtenAt = r.getObject(17, java.time.OffsetDateTime.class);
        try {
          return new KeyRecord(
              m, sealed, revision, writtenAt == null ? null : writtenAt.toInstant());
        } finally {
          Arrays.fill(sealed, (byte) 0);
        }
      }
    } catch (SQLException e) {
      throw PgErrors.map(NAME, ref, "retrieve " + ref, e);
    }
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

  /** One conditional UPDATE; {@code sealed} null keeps the stored bytes. */
  private long update(KeyMetadata updated, byte[] sealed, long expectedRevision)
      throws KeystoreException {
    KeyRef ref = updated.ref();
    try (Connection c = connection(ref)) {
      long current = currentRevision(c, ref, updated);
      if (current != expectedRevision) {
        throw stale(ref, current, expectedRevision);
      }
      try (PreparedStatement ps =
          c.prepareStatement(sealed == null ? rows.update : rows.replaceSealed)) {
        if (sealed == null) {
          RecordRows.bindUpdate(ps, updated, expectedRevision);
        } else {
          RecordRows.bindReplaceSealed(ps, updated, sealed, expectedRevision);
        }
        try (ResultSet r = ps.executeQuery()) {
          if (r.next()) {
            return r.getLong(1);
          }
        }
      }
      // another writer won between our read and our update (or deleted the row)
      long now = currentRevision(c, ref, updated);
      throw stale(ref, now, expectedRevision);
    } catch (SQLException e) {
      throw PgErrors.map(NAME, ref, "update " + ref, e);
    }
  }

  /**
   * @return the stored revision after checking {@code updated} keeps the stored identity
   */
  private long currentRevision(Connection c, KeyRef ref, KeyMetadata updated)
      throws SQLException, KeystoreException {
    try (PreparedStatement ps = c.prepareStatement(rows.selectMeta)) {
      RecordRows.bindRef(ps, ref);
      try (ResultSet r = ps.executeQuery()) {
        if (!r.next()) {
          throw notFound(ref);
        }
        RecordRows.metadata(r, NAME).checkSameIdentity(updated);
        return r.getLong(15);
      }
    }
  }

  @Override
  public boolean delete(KeyRef ref) throws KeystoreException {
    try (Connection c = connection(ref);
        PreparedStatement ps = c.prepareStatement(rows.delete)) {
      RecordRows.bindRef(ps, ref);
      return ps.executeUpdate() > 0;
    } catch (SQLException e) {
      throw PgErrors.map(NAME, ref, "delete " + ref, e);
    }
  }

  @Override
  public Page<KeyMetadata> list(KeyFilter filter) throws KeystoreException {
    ListingQuery q = new ListingQuery(rows.table, filter);
    try (Connection c = connection(null);
        PreparedStatement ps = q.prepare(c);
        ResultSet r = ps.executeQuery()) {
      List<KeyMetadata> page = new ArrayList<>(Math.min(filter.pageSize() + 1, 1024));
      while (r.next()) {
        page.add(RecordRows.metadata(r, NAME));
      }
      return filter.collectPage(page.iterator());
    } catch (SQLException e) {
      throw PgErrors.map(NAME, null, "list", e);
    }
  }

  @Override
  public BackendHealth health() {
    long start = System.nanoTime();
    try {
      // a first check may come before any call: migrate here too, so health speaks of a ready
      // schema
      ensureSchema(null);
    } catch (KeystoreException e) {
      return BackendHealth.of(
          org.openkcm.keystore.spi.BackendState.UNAVAILABLE,
          "schema not ready: " + e.getMessage(),
          java.time.Duration.ofNanos(System.nanoTime() - start));
    }
    return HealthCheck.check(pool, pool.settings.schema);
  }

  /** A pooled connection, after making sure the schema is migrated. */
  private Connection connection(KeyRef ref) throws KeystoreException, SQLException {
    ensureSchema(ref);
    return pool.connection();
  }

  private void ensureSchema(KeyRef ref) throws KeystoreException {
    if (migrated) {
      return;
    }
    synchronized (this) {
      if (migrated) {
        return;
      }
      try (Connection c = pool.connection()) {
        int v = SchemaMigrator.migrate(c, pool.settings.schema);
        migrated = true;
        LOG.info("PostgreSQL backend: schema {} at version {}", pool.settings.schema, v);
      } catch (SQLException e) {
        if ("KS001".equals(e.getSQLState())) {
          throw new BackendUnavailableException(NAME, ref, e.getMessage(), null, null);
        }
        throw PgErrors.map(NAME, ref, "schema migration of " + pool.settings.schema, e);
      }
    }
  }

  PgPool pool() {
    return pool;
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

  private static KeyNotFoundException notFound(KeyRef ref) {
    return new KeyNotFoundException(ref, NAME, "key " + ref + " not found in PostgreSQL");
  }

  private static KeystoreException stale(KeyRef ref, long current, long expected) {
    return new ConcurrentUpdateException(
        ref, NAME, "key " + ref + " is at revision " + current + ", not " + expected);
  }
}
