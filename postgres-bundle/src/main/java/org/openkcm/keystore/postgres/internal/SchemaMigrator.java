package org.openkcm.keystore.postgres.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Creates and migrates the keystore schema. Versioned: {@code schema_version} holds one row per
 * applied step; idempotent: applied steps are skipped; safe when several runtimes start at once:
 * the whole migration runs in one transaction under a transaction-scoped advisory lock derived from
 * the schema name, so a second runtime waits, then finds the steps applied. DDL is transactional in
 * PostgreSQL, so a failed step leaves nothing behind. A schema newer than this bundle knows is
 * refused, never downgraded. A schema already at this bundle's version is only read (no lock, no
 * DDL), so a runtime can start on a hot standby.
 */
final class SchemaMigrator {
  /**
   * The steps, in order; step n brings the schema to version n. Never edit a released step: append.
   */
  static List<String> steps(String schema) {
    String t = schema + ".key_records";
    return List.of(
        String.join(
            ";\n",
            "CREATE TABLE "
                + t
                + " ("
                + " key_id text COLLATE \"C\" NOT NULL,"
                + " version integer NOT NULL CHECK (version > 0),"
                + " tier text NOT NULL,"
                + " owner_type text NOT NULL,"
                + " owner_id text COLLATE \"C\" NOT NULL,"
                + " algorithm text NOT NULL,"
                + " key_size integer NOT NULL,"
                + " status text NOT NULL,"
                + " created_at timestamptz NOT NULL,"
                + " updated_at timestamptz NOT NULL,"
                + " expires_at timestamptz,"
                + " parent_id text COLLATE \"C\","
                + " parent_version integer,"
                + " tags jsonb NOT NULL DEFAULT '{}'::jsonb,"
                + " sealed bytea NOT NULL,"
                + " revision bigint NOT NULL DEFAULT 1,"
                + " PRIMARY KEY (key_id, version))",
            // every KeyFilter criterion has an index that yields rows in (key_id, version) order or
            // touches only matching rows; see docs/postgres.md for the plans
            "CREATE INDEX key_records_owner ON " + t + " (owner_type, owner_id, key_id, version)",
            "CREATE INDEX key_records_tier ON " + t + " (tier, key_id, version)",
            "CREATE INDEX key_records_status ON " + t + " (status, key_id, version)",
            "CREATE INDEX key_records_algorithm ON " + t + " (lower(algorithm), key_id, version)",
            "CREATE INDEX key_records_expiry ON "
                + t
                + " (expires_at) WHERE expires_at IS NOT NULL",
            "CREATE INDEX key_records_tags ON " + t + " USING gin (tags jsonb_path_ops)"),
        // step 2: the server's write time of each revision, set by a trigger whatever the writer
        // sends (KeyRecord.writtenAt); rows written before stay NULL (no write time known)
        String.join(
            ";\n",
            "ALTER TABLE " + t + " ADD COLUMN written_at timestamptz",
            "CREATE FUNCTION "
                + schema
                + ".key_records_written_at() RETURNS trigger LANGUAGE plpgsql AS"
                + " $$ BEGIN NEW.written_at := now(); RETURN NEW; END $$",
            "CREATE TRIGGER key_records_written_at BEFORE INSERT OR UPDATE ON "
                + t
                + " FOR EACH ROW EXECUTE FUNCTION "
                + schema
                + ".key_records_written_at()"));
  }

  private SchemaMigrator() {}

  /**
   * @return the schema version after migration
   */
  static int migrate(Connection c, String schema) throws SQLException {
    List<String> steps = steps(schema);
    // a schema already at this version needs no lock and no write: so a runtime can start on a
    // read-only hot standby
    int found = existing(c, schema);
    if (found > steps.size()) {
      throw newer(schema, found, steps.size());
    }
    if (found == steps.size()) {
      return found;
    }
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      try (PreparedStatement lock =
          c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
        lock.setString(1, "openkcm-keystore-schema:" + schema);
        lock.execute();
      }
      s.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
      s.execute(
          "CREATE TABLE IF NOT EXISTS "
              + schema
              + ".schema_version (version integer PRIMARY KEY,"
              + " applied_at timestamptz NOT NULL DEFAULT now(), description text NOT NULL)");
      int current = current(c, schema);
      if (current > steps.size()) {
        throw newer(schema, current, steps.size());
      }
      for (int v = current + 1; v <= steps.size(); v++) {
        for (String ddl : steps.get(v - 1).split(";\n")) {
          s.execute(ddl);
        }
        try (PreparedStatement ins =
            c.prepareStatement(
                "INSERT INTO " + schema + ".schema_version (version, description) VALUES (?, ?)")) {
          ins.setInt(1, v);
          ins.setString(2, "openkcm keystore step " + v);
          ins.executeUpdate();
        }
      }
      c.commit();
      return steps.size();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(auto);
    }
  }

  private static SQLException newer(String schema, int found, int known) {
    return new SQLException(
        "schema "
            + schema
            + " is at version "
            + found
            + "; this bundle knows up to "
            + known
            + " (refusing to run an older bundle on a newer schema)",
        "KS001");
  }

  /**
   * @return the applied version, 0 when there is no version table yet; reads only
   */
  private static int existing(Connection c, String schema) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      ps.setString(1, schema + ".schema_version");
      try (ResultSet r = ps.executeQuery()) {
        r.next();
        if (!r.getBoolean(1)) {
          return 0;
        }
      }
    }
    return current(c, schema);
  }

  static int current(Connection c, String schema) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery("SELECT coalesce(max(version), 0) FROM " + schema + ".schema_version")) {
      r.next();
      return r.getInt(1);
    }
  }

  /**
   * @return the version this bundle migrates to
   */
  static int latest() {
    return steps("x").size();
  }
}
