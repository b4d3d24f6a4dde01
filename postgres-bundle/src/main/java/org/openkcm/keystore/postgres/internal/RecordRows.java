package org.openkcm.keystore.postgres.internal;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.TreeMap;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.model.OwnerType;

/**
 * The row layout of {@code key_records} and the statements on it. Metadata columns are plain SQL
 * types so filters can use indexes; tags are a JSON object of strings. Rows read back are validated
 * through {@link KeyMetadata.Builder#build()}, so a row an attacker edited into nonsense is
 * refused, not served.
 */
final class RecordRows {
  static final String META_COLUMNS =
      "key_id, version, tier, owner_type, owner_id, algorithm, key_size, status,"
          + " created_at, updated_at, expires_at, parent_id, parent_version, tags";

  final String table;
  final String insert;
  final String select;
  final String selectMeta;
  final String update;
  final String replaceSealed;
  final String delete;

  RecordRows(String schema) {
    this.table = schema + ".key_records";
    this.insert =
        "INSERT INTO "
            + table
            + " ("
            + META_COLUMNS
            + ", sealed, revision)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, 1)";
    this.select =
        "SELECT "
            + META_COLUMNS
            + ", revision, sealed, written_at FROM "
            + table
            + " WHERE key_id = ? AND version = ?";
    this.selectMeta =
        "SELECT " + META_COLUMNS + ", revision FROM " + table + " WHERE key_id = ? AND version = ?";
    this.update =
        "UPDATE "
            + table
            + " SET status = ?, updated_at = ?, expires_at = ?, tags = ?::jsonb, revision = revision + 1"
            + " WHERE key_id = ? AND version = ? AND revision = ? RETURNING revision";
    this.replaceSealed =
        "UPDATE "
            + table
            + " SET status = ?, updated_at = ?, expires_at = ?, tags = ?::jsonb, sealed = ?,"
            + " revision = revision + 1"
            + " WHERE key_id = ? AND version = ? AND revision = ? RETURNING revision";
    this.delete = "DELETE FROM " + table + " WHERE key_id = ? AND version = ?";
  }

  static void bindInsert(PreparedStatement ps, KeyMetadata m, byte[] sealed) throws SQLException {
    ps.setString(1, m.id());
    ps.setInt(2, m.version());
    ps.setString(3, m.tier().name());
    ps.setString(4, m.owner().type().name());
    ps.setString(5, m.owner().id());
    ps.setString(6, m.algorithm());
    ps.setInt(7, m.keySize());
    ps.setString(8, m.status().name());
    setInstant(ps, 9, m.createdAt());
    setInstant(ps, 10, m.updatedAt());
    setInstant(ps, 11, m.expiresAt().orElse(null));
    if (m.parent().isPresent()) {
      ps.setString(12, m.parent().get().id());
      ps.setInt(13, m.parent().get().version());
    } else {
      ps.setNull(12, Types.VARCHAR);
      ps.setNull(13, Types.INTEGER);
    }
    ps.setString(14, TagsJson.encode(m.tags()));
    ps.setBytes(15, sealed);
  }

  static void bindUpdate(PreparedStatement ps, KeyMetadata m, long expectedRevision)
      throws SQLException {
    ps.setString(1, m.status().name());
    setInstant(ps, 2, m.updatedAt());
    setInstant(ps, 3, m.expiresAt().orElse(null));
    ps.setString(4, TagsJson.encode(m.tags()));
    ps.setString(5, m.id());
    ps.setInt(6, m.version());
    ps.setLong(7, expectedRevision);
  }

  static void bindReplaceSealed(
      PreparedStatement ps, KeyMetadata m, byte[] sealed, long expectedRevision)
      throws SQLException {
    ps.setString(1, m.status().name());
    setInstant(ps, 2, m.updatedAt());
    setInstant(ps, 3, m.expiresAt().orElse(null));
    ps.setString(4, TagsJson.encode(m.tags()));
    ps.setBytes(5, sealed);
    ps.setString(6, m.id());
    ps.setInt(7, m.version());
    ps.setLong(8, expectedRevision);
  }

  static void bindRef(PreparedStatement ps, KeyRef ref) throws SQLException {
    ps.setString(1, ref.id());
    ps.setInt(2, ref.version());
  }

  /**
   * @throws KeystoreException (an integrity error) if the row does not hold valid metadata
   */
  static KeyMetadata metadata(ResultSet r, String backend) throws SQLException, KeystoreException {
    String id = r.getString(1);
    int version = r.getInt(2);
    KeyRef ref = null;
    try {
      ref = KeyRef.of(id, version);
      KeyMetadata.Builder b =
          KeyMetadata.builder()
              .ref(ref)
              .tier(KeyTier.parse("tier", r.getString(3)))
              .owner(Owner.of(OwnerType.parse("owner.type", r.getString(4)), r.getString(5)))
              .algorithm(r.getString(6))
              .keySize(r.getInt(7))
              .status(KeyStatus.parse("status", r.getString(8)))
              .createdAt(instant(r, 9))
              .updatedAt(instant(r, 10))
              .expiresAt(instant(r, 11));
      String parent = r.getString(12);
      if (parent != null) {
        b.parent(KeyRef.of(parent, r.getInt(13)));
      }
      Map<String, String> tags = TagsJson.decode(r.getString(14));
      return b.tags(tags == null ? new TreeMap<>() : tags).build();
    } catch (KeystoreException | RuntimeException bad) {
      throw new org.openkcm.keystore.model.IntegrityException(
          ref,
          backend,
          "row "
              + (ref != null ? ref : "with an invalid key id")
              + " of the PostgreSQL backend holds invalid metadata: "
              + bad.getMessage());
    }
  }

  private static void setInstant(PreparedStatement ps, int index, Instant value)
      throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
    } else {
      ps.setObject(index, OffsetDateTime.ofInstant(value, ZoneOffset.UTC));
    }
  }

  /** Read as OffsetDateTime: independent of the JVM's and the session's time zone. */
  private static Instant instant(ResultSet r, int index) throws SQLException {
    OffsetDateTime t = r.getObject(index, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }
}
