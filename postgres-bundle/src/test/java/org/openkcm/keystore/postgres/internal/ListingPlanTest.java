package org.openkcm.keystore.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.postgres.testing.PostgresServer;

/**
 * Listing costs what it matches: over 50,000 rows, the plan PostgreSQL picks for each KeyFilter
 * criterion reads through its index (no sequential scan of the table), and the page has the right
 * rows. The owner and tag plans are printed; docs/postgres.md shows them.
 */
class ListingPlanTest {
  private static final int ROWS = 50_000;
  private static PostgresServer pg;
  private static PostgresKeystore keystore;

  @BeforeAll
  static void fill() throws Exception {
    pg = PostgresServer.start();
    keystore = (PostgresKeystore) TestKeystores.postgres(pg, "plans");
    keystore.list(KeyFilter.all());
    // 50,000 L3 rows over 1,000 tenants, 5 statuses, a team tag per 100 and an expiry per day
    pg.psql(
        PostgresServer.DATABASE,
        "INSERT INTO plans.key_records (key_id, version, tier, owner_type, owner_id, algorithm, key_size,"
            + " status, created_at, updated_at, expires_at, parent_id, parent_version, tags, sealed)"
            + " SELECT 'k' || lpad(i::text, 6, '0'), 1, CASE WHEN i % 10 = 0 THEN 'L2' ELSE 'L3' END, 'TENANT', 't' || (i % 1000),"
            + " CASE WHEN i % 50 = 0 THEN 'RSA' ELSE 'AES' END, 256,"
            + " (ARRAY['ACTIVE','ACTIVE','ACTIVE','DEPRECATED','RETIRED'])[1 + i % 5], now(), now(),"
            + " timestamptz '2027-01-01' + (i % 3650) * interval '1 day', CASE WHEN i % 10 = 0 THEN NULL ELSE 'p' END,"
            + " CASE WHEN i % 10 = 0 THEN NULL ELSE 1 END, jsonb_build_object('team', 'team' || (i % 500), 'suite', 'plan'),"
            + " decode(md5(i::text) || md5((i + 1)::text), 'hex')"
            + " FROM generate_series(1, "
            + ROWS
            + ") i");
    pg.psql(PostgresServer.DATABASE, "ANALYZE plans.key_records");
  }

  @AfterAll
  static void stop() {
    keystore.deactivate();
    pg.close();
  }

  @Test
  void ownerListingUsesTheOwnerIndexAndPagesInOrder() throws Exception {
    KeyFilter f = KeyFilter.builder().owner(Owner.tenant("t42")).pageSize(20).build();
    String plan = explain(f);
    System.out.println("EXPLAIN owner listing:\n" + plan);
    assertThat(plan).contains("key_records_owner").doesNotContain("Seq Scan");
    Page<KeyMetadata> p = keystore.list(f);
    assertThat(p.items()).hasSize(20).allMatch(m -> m.owner().id().equals("t42"));
    assertThat(p.nextCursor()).isPresent();
    assertThat(plan)
        .as("reads about one page, not the 50 matches or the table")
        .containsPattern("rows=2[01] ");
  }

  @Test
  void tagListingUsesTheGinIndex() throws Exception {
    KeyFilter f = KeyFilter.builder().tag("team", "team7").pageSize(50).build();
    String plan = explain(f);
    System.out.println("EXPLAIN tag listing:\n" + plan);
    assertThat(plan).contains("key_records_tags").doesNotContain("Seq Scan");
    assertThat(keystore.list(f).items())
        .hasSize(50)
        .allMatch(m -> "team7".equals(m.tags().get("team")));
  }

  @Test
  void everyOtherCriterionReadsThroughAnIndex() throws Exception {
    List<KeyFilter> filters =
        new ArrayList<>(
            List.of(
                KeyFilter.builder().tier(KeyTier.L2).build(),
                KeyFilter.builder().status(KeyStatus.RETIRED).build(),
                KeyFilter.builder().algorithm("rsa").build(),
                KeyFilter.builder().expiresBefore(Instant.parse("2027-01-03T00:00:00Z")).build(),
                KeyFilter.builder().expiresAfter(Instant.parse("2036-12-20T00:00:00Z")).build(),
                KeyFilter.builder().idPrefix("k01234").build(),
                KeyFilter.builder().keyId("k012345").build(),
                KeyFilter.all().after(org.openkcm.keystore.model.KeyRef.of("k049990", 1))));
    for (KeyFilter f : filters) {
      String plan = explain(f);
      assertThat(plan).as(f + "\n" + plan).doesNotContain("Seq Scan").contains("Index");
      for (KeyMetadata m : keystore.list(f).items()) {
        assertThat(f.matches(m)).as(f + " returned " + m).isTrue();
      }
    }
    assertThat(keystore.list(KeyFilter.builder().algorithm("rsa").pageSize(1000).build()).items())
        .hasSize(ROWS / 50);
    assertThat(keystore.list(KeyFilter.builder().idPrefix("k01234").build()).items()).hasSize(10);
  }

  private static String explain(KeyFilter f) throws Exception {
    ListingQuery q = new ListingQuery("plans.key_records", f);
    try (Connection c = keystore.pool().connection();
        PreparedStatement ps =
            q.prepare(c, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ");
        ResultSet r = ps.executeQuery()) {
      StringBuilder b = new StringBuilder();
      while (r.next()) {
        b.append(r.getString(1)).append('\n');
      }
      return b.toString();
    }
  }
}
