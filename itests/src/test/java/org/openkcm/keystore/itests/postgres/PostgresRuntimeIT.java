package org.openkcm.keystore.itests.postgres;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.openkcm.keystore.api.KeyHandle;
import org.openkcm.keystore.api.KeyService;
import org.openkcm.keystore.itests.openbao.OpenBaoTestSupport;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.spi.BackendState;
import org.openkcm.keystore.spi.Keystore;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/**
 * The PostgreSQL backend in the running runtime, next to a real OpenBao and a real PostgreSQL:
 * L2/L3 keys are made on OpenBao; then the postgres bundle is hot-deployed (installed and started
 * while the runtime runs, pgjdbc and HikariCP already there), configured through ConfigAdmin with
 * its password in a file, and routing sends L3 to it; {@code keystore:migrate} moves the L3 keys
 * from OpenBao to PostgreSQL and later back; every key opens to the same material throughout; the
 * table holds no form of any key material; no service carries the password; and uninstalling the
 * bundle takes the backend away.
 */
@RunWith(PostgresPaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PostgresRuntimeIT extends OpenBaoTestSupport {
  private static final String BUNDLE = "bundle.postgres";
  private static final String TABLE = "itest.key_records";

  @Configuration
  public Option[] config() {
    PgFixture.start();
    List<Option> o = new ArrayList<>(List.of(openBaoOptions()));
    o.add(bundleFromProperty("pgjdbc"));
    o.add(bundleFromProperty("hikari"));
    for (String p :
        new String[] {
          PgFixture.URL,
          PgFixture.USER,
          PgFixture.PASSWORD_FILE,
          PgFixture.PASSWORD,
          PgFixture.PORT,
          PgFixture.PSQL,
          BUNDLE
        }) {
      o.add(systemProperty(p).value(System.getProperty(p)));
    }
    return o.toArray(new Option[0]);
  }

  @Test
  public void hotDeployedPostgresTakesL3AndKeysMigrateFromOpenBaoAndBack() throws Exception {
    KeyService s = keyService();
    // before: default routing, L2 and L3 on OpenBao
    KeyMetadata l2 = meta(s, KeyTier.L2, Owner.tenant("pg-acme"), null);
    List<KeyMetadata> l3 = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      l3.add(meta(s, KeyTier.L3, Owner.service("pg-billing"), l2.id()));
    }
    Map<String, byte[]> materials = new java.util.HashMap<>();
    for (KeyMetadata m : l3) {
      materials.put(m.id(), material(s, m));
      assertTrue(m.ref() + " in OpenBao", inOpenBao(m.ref()));
    }
    assertTrue(
        "no postgres backend before the hot deploy",
        services(Keystore.class, "(keystore.backend=postgres)").isEmpty());

    // hot deploy: configuration first (password from a file), then the bundle into the running
    // framework
    configure(
        "org.openkcm.keystore.postgres",
        Map.of(
            "url",
            Psql.required(PgFixture.URL),
            "user",
            Psql.required(PgFixture.USER),
            "passwordFile",
            Psql.required(PgFixture.PASSWORD_FILE),
            "sslMode",
            "disable",
            "schema",
            "itest"));
    Bundle pg = context.installBundle(new File(Psql.required(BUNDLE)).toURI().toString());
    pg.start();
    Keystore postgres = backend("postgres");
    assertTrue(postgres.info().persistent());
    await("postgres UP", () -> state("postgres") == BackendState.UP);
    configure(
        "org.openkcm.keystore.routing",
        Map.of(
            "rules",
            new String[] {"tier=L2 -> openbao", "tier=L3 -> postgres", "tier=L4 -> inmemory"},
            "defaultBackend",
            "inmemory"));
    await("L3 routed to postgres", () -> "postgres".equals(routeQuietly("probe3")));

    // a new L3 key lands in PostgreSQL, one row
    KeyMetadata fresh = meta(s, KeyTier.L3, Owner.service("pg-billing"), l2.id());
    materials.put(fresh.id(), material(s, fresh));
    assertEquals(
        "1", Psql.query("SELECT count(*) FROM " + TABLE + " WHERE key_id = '" + fresh.id() + "'"));

    // OpenBao -> PostgreSQL with the shell
    String moved = shell("keystore:migrate postgres tier=L3");
    assertTrue(moved, moved.contains("3 moved") && moved.contains("0 failed"));
    for (KeyMetadata m : l3) {
      assertEquals(
          m.ref() + " in PostgreSQL",
          "1",
          Psql.query("SELECT count(*) FROM " + TABLE + " WHERE key_id = '" + m.id() + "'"));
      assertFalse(m.ref() + " left OpenBao", inOpenBao(m.ref()));
    }
    assertOpensToTheSameMaterial(s, l3, fresh, materials);
    assertNoMaterialInTheTable(materials);
    assertNoServiceCarriesThePassword();

    // and back: PostgreSQL -> OpenBao; the rows are deleted
    // postgres stays a lookup-only backend: its keys stay readable, and it is a migration source
    configure(
        "org.openkcm.keystore.routing",
        Map.of(
            "rules",
            new String[] {"tier=L2,L3 -> openbao", "tier=L4 -> inmemory"},
            "defaultBackend",
            "inmemory",
            "backends",
            new String[] {"postgres"}));
    await("L3 routed to openbao", () -> "openbao".equals(routeQuietly("probe3b")));
    String back = shell("keystore:migrate openbao tier=L3");
    assertTrue(back, back.contains("4 moved") && back.contains("0 failed"));
    assertEquals("0", Psql.query("SELECT count(*) FROM " + TABLE));
    for (KeyMetadata m : l3) {
      assertTrue(m.ref() + " in OpenBao", inOpenBao(m.ref()));
    }
    assertOpensToTheSameMaterial(s, l3, fresh, materials);

    // hot undeploy: the backend leaves with its bundle
    pg.uninstall();
    await("postgres gone", () -> services(Keystore.class, "(keystore.backend=postgres)").isEmpty());
  }

  private String routeQuietly(String id) {
    try {
      return routeOf(key(id, KeyTier.L3, "service:x"));
    } catch (Exception e) {
      return null;
    }
  }

  private void assertOpensToTheSameMaterial(
      KeyService s, List<KeyMetadata> l3, KeyMetadata fresh, Map<String, byte[]> materials)
      throws Exception {
    List<KeyMetadata> all = new ArrayList<>(l3);
    all.add(fresh);
    for (KeyMetadata m : all) {
      assertTrue(
          m.ref() + " opens to the same material",
          Arrays.equals(materials.get(m.id()), material(s, m)));
    }
  }

  private static void assertNoMaterialInTheTable(Map<String, byte[]> materials) {
    String dump = Psql.query("SELECT t::text FROM " + TABLE + " t").toLowerCase(Locale.ROOT);
    assertTrue("the dump shows the sealed bytes", dump.contains("\\\\x"));
    for (Map.Entry<String, byte[]> e : materials.entrySet()) {
      byte[] m = e.getValue();
      assertFalse(
          e.getKey() + ": hex of the key material in the table",
          dump.contains(HexFormat.of().formatHex(m, 0, 12)));
      assertFalse(
          e.getKey() + ": base64 of the key material in the table",
          dump.contains(
              Base64.getEncoder().encodeToString(Arrays.copyOf(m, 12)).toLowerCase(Locale.ROOT)));
    }
  }

  private void assertNoServiceCarriesThePassword() throws Exception {
    String password = Psql.required(PgFixture.PASSWORD);
    for (ServiceReference<?> ref : context.getAllServiceReferences(null, null)) {
      for (String k : ref.getPropertyKeys()) {
        Object v = ref.getProperty(k);
        String text = v instanceof Object[] a ? Arrays.deepToString(a) : String.valueOf(v);
        assertFalse(
            "service " + ref.getProperty("service.id") + " carries the password as '" + k + "'",
            text.contains(password));
      }
    }
    Object stored =
        configAdmin().getConfiguration("org.openkcm.keystore.postgres", "?").getProperties();
    assertFalse("ConfigAdmin holds no password", String.valueOf(stored).contains(password));
  }

  private static byte[] material(KeyService s, KeyMetadata m) throws Exception {
    try (KeyHandle h = s.open(m.ref())) {
      byte[] b = h.copyMaterial();
      assertNotNull(b);
      return b;
    }
  }
}
