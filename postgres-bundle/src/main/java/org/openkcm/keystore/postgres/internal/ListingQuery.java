package org.openkcm.keystore.postgres.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyStatus;

/**
 * One SQL statement per listing page: every {@link KeyFilter} criterion becomes a WHERE condition
 * an index serves (owner, tier, status, lower(algorithm): btree indexes ending in (key_id,
 * version); expiry: a partial btree; tags: GIN containment; id prefix and key id: the primary key
 * range), the cursor is a row comparison on the primary key, and the page is {@code LIMIT pageSize
 * + 1}, so a page costs what it matches, not what the table holds. The final matching and cursor
 * come from {@link KeyFilter#collectPage}.
 */
final class ListingQuery {
  final String sql;
  private final List<Object> params = new ArrayList<>();

  ListingQuery(String table, KeyFilter f) {
    StringBuilder w = new StringBuilder();
    f.owner().ifPresent(o -> cond(w, "owner_type = ? AND owner_id = ?", o.type().name(), o.id()));
    f.tier().ifPresent(t -> cond(w, "tier = ?", t.name()));
    if (!f.statuses().isEmpty()) {
      cond(
          w,
          "status = ANY (?)",
          (Object) f.statuses().stream().map(KeyStatus::name).toArray(String[]::new));
    }
    f.algorithm().ifPresent(a -> cond(w, "lower(algorithm) = lower(?)", a));
    f.expiresBefore()
        .ifPresent(t -> cond(w, "expires_at < ?", OffsetDateTime.ofInstant(t, ZoneOffset.UTC)));
    f.expiresAfter()
        .ifPresent(t -> cond(w, "expires_at > ?", OffsetDateTime.ofInstant(t, ZoneOffset.UTC)));
    if (!f.tags().isEmpty()) {
      cond(w, "tags @> ?::jsonb", TagsJson.encode(f.tags()));
    }
    f.idPrefix().ifPresent(p -> cond(w, "key_id >= ? AND key_id < ?", p, upperBound(p)));
    f.keyId().ifPresent(id -> cond(w, "key_id = ?", id));
    f.after().ifPresent(a -> cond(w, "(key_id, version) > (?, ?)", a.id(), a.version()));
    this.sql =
        "SELECT "
            + RecordRows.META_COLUMNS
            + " FROM "
            + table
            + (w.length() == 0 ? "" : " WHERE " + w)
            + " ORDER BY key_id, version LIMIT "
            + (f.pageSize() + 1);
  }

  /**
   * The smallest string above every string starting with {@code prefix} (ids are ASCII, compared in
   * "C" order).
   */
  static String upperBound(String prefix) {
    char last = prefix.charAt(prefix.length() - 1);
    return prefix.substring(0, prefix.length() - 1) + (char) (last + 1);
  }

  private void cond(StringBuilder w, String sqlCondition, Object... values) {
    if (w.length() > 0) {
      w.append(" AND ");
    }
    w.append(sqlCondition);
    params.addAll(List.of(values));
  }

  PreparedStatement prepare(Connection c) throws SQLException {
    return prepare(c, "");
  }

  /**
   * @param prefix put before the statement, e.g. {@code EXPLAIN} (tests and docs)
   */
  PreparedStatement prepare(Connection c, String prefix) throws SQLException {
    PreparedStatement ps = c.prepareStatement(prefix + sql);
    int i = 1;
    for (Object p : params) {
      if (p instanceof String[] array) {
        ps.setArray(i++, c.createArrayOf("text", array));
      } else {
        ps.setObject(i++, p);
      }
    }
    return ps;
  }
}
