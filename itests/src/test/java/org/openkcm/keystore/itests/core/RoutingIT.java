package org.openkcm.keystore.itests.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.List;
import java.util.Map;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.openkcm.keystore.api.BackendStatus;
import org.openkcm.keystore.api.RouteView;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyTier;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * Routing on real Felix + SCR + ConfigAdmin: rules by tier, owner and tag set through ConfigAdmin
 * (as a Karaf .cfg or the Web Console would), a rogue high-ranked backend under an unconfigured
 * name, a bad configuration rejected with the previous routing kept, and keys staying readable
 * after a routing change.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RoutingIT extends CoreTestSupport {
  private static final String ROUTING = "org.openkcm.keystore.routing";
  private static final String[] RULES = {
    "tier=L4 -> edge", "owner=tenant:eu-* -> eu", "tag.region=us -> us"
  };

  @Configuration
  public Option[] config() {
    return coreOptions();
  }

  private void routeWith(String[] rules, String def, String... lookupOnly) throws Exception {
    configure(ROUTING, Map.of("rules", rules, "defaultBackend", def, "backends", lookupOnly));
    // wait for exactly these rules (tests share one framework: the previous test's routing may
    // still be in force)
    List<String> expected = new java.util.ArrayList<>(List.of(rules));
    expected.add("default -> " + def);
    await(
        "routing " + expected + " in force",
        () ->
            admin0().routes().stream()
                .map(r -> r.condition() + " -> " + r.backend())
                .toList()
                .equals(expected));
  }

  private org.openkcm.keystore.api.KeystoreAdmin admin0() {
    try {
      return admin();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  public void newKeysGoByTierOwnerAndTagFirstMatchWinsElseTheDefault() throws Exception {
    SharedStore edge = new SharedStore("edge");
    SharedStore eu = new SharedStore("eu");
    SharedStore us = new SharedStore("us");
    SharedStore central = new SharedStore("central");
    register("edge", 0, edge);
    register("eu", 0, eu);
    register("us", 0, us);
    register("central", 0, central);
    routeWith(RULES, "central");

    storeRouted(key("dek-eu", KeyTier.L4, "tenant:eu-1", "region", "us"));
    storeRouted(key("svc-eu", KeyTier.L3, "tenant:eu-1", "region", "us"));
    storeRouted(key("svc-us", KeyTier.L3, "tenant:acme", "region", "us"));
    storeRouted(key("ten-eu", KeyTier.L2, "tenant:eu-west"));
    storeRouted(key("svc-eu-service", KeyTier.L3, "service:eu-1"));
    assertEquals("tier rule first, whatever owner and tags", 1, edge.size());
    assertTrue(edge.holds(key("dek-eu", KeyTier.L4, "tenant:eu-1").ref()));
    assertEquals("owner glob before tag", 2, eu.size());
    assertEquals(1, us.size());
    assertEquals("service:eu-1 is no tenant: default", 1, central.size());

    List<RouteView> views = admin().routes();
    assertEquals("tier=L4", views.get(0).condition());
    assertEquals("default", views.get(3).condition());
    assertEquals("central", views.get(3).backend());
  }

  @Test
  public void aRogueHighRankedBackendUnderAnUnconfiguredNameReceivesNothing() throws Exception {
    SharedStore central = new SharedStore("central");
    SharedStore rogue = new SharedStore("rogue");
    register("central", 0, central);
    register("rogue", Integer.MAX_VALUE, rogue);
    routeWith(new String[] {"tier=L2 -> central"}, "central");
    for (KeyTier tier : KeyTier.values()) {
      storeRouted(key("k-" + tier, tier, "tenant:acme"));
    }
    admin().migrate(org.openkcm.keystore.model.KeyFilter.all(), "central");
    try {
      admin().migrate(org.openkcm.keystore.model.KeyFilter.all(), "rogue");
      fail("migration to an unconfigured backend must be refused");
    } catch (InvalidKeyRequestException expected) {
      assertEquals("backend", expected.field());
    }
    assertEquals(0, rogue.calls());
    assertEquals(3, central.size());
    BackendStatus shown =
        admin().backends().stream().filter(s -> s.name().equals("rogue")).findFirst().orElseThrow();
    assertFalse(shown.configured());
    assertTrue(shown.present());
  }

  @Test
  public void aBadConfigurationIsRejectedAndThePreviousRoutingStays() throws Exception {
    SharedStore central = new SharedStore("central");
    register("central", 0, central);
    routeWith(new String[] {"tier=L3 -> central"}, "central");
    List<RouteView> before = admin().routes();
    configure(
        ROUTING, Map.of("rules", new String[] {"tier=L9 -> central"}, "defaultBackend", "central"));
    // SCR hands the component the new properties (they show on its service) and the component
    // refuses them
    await(
        "bad routing delivered to the component",
        () -> routerProperty("rules").contains("tier=L9"));
    assertEquals(before, admin().routes());
    configure(
        ROUTING,
        Map.of("rules", new String[] {"tier=L3 -> central"}, "defaultBackend", "Not Valid"));
    await(
        "bad default delivered to the component",
        () -> routerProperty("defaultBackend").equals("Not Valid"));
    assertEquals(before, admin().routes());
    assertEquals("central", routeOf(key("x", KeyTier.L3, "tenant:acme")));
  }

  @Test
  public void afterARoutingChangeStoredKeysStayReadableWhereTheyAre() throws Exception {
    SharedStore first = new SharedStore("first");
    SharedStore second = new SharedStore("second");
    register("first", 0, first);
    register("second", 0, second);
    routeWith(new String[] {"tier=L2 -> first"}, "first");
    KeyMetadata old = key("old-tenant", KeyTier.L2, "tenant:acme");
    storeRouted(old);
    routeWith(new String[] {"tier=L2 -> second"}, "second", "first");
    KeyMetadata fresh = key("new-tenant", KeyTier.L2, "tenant:acme");
    storeRouted(fresh);
    assertTrue(first.holds(old.ref()));
    assertTrue(second.holds(fresh.ref()));
    assertEquals(1, copiesOf(old.ref()));
    assertEquals(1, copiesOf(fresh.ref()));
    assertEquals(2, records().list(org.openkcm.keystore.model.KeyFilter.all()).items().size());
  }

  /** What the routing component runs with, from the DS runtime's public view. */
  private String routerProperty(String name) {
    Object v =
        componentProperties("org.openkcm.keystore.core.internal.routing.RoutingConfiguration")
            .get(name);
    return v instanceof String[] a ? String.join(";", a) : String.valueOf(v);
  }

  @Test
  public void noOtherBundleSeesTheCoresInternalServices() throws Exception {
    register("first", 0, new SharedStore("first"));
    routeWith(new String[0], "first");
    // the core runs (its public doors answer), and none of its collaborators is in sight: not by
    // listing everything, not by an internal type's name, not by a filter on its component
    assertEquals("first", routeOf(key("seen", KeyTier.L3, "tenant:acme")));
    for (org.osgi.framework.ServiceReference<?> r : context.getAllServiceReferences(null, null)) {
      for (String type : (String[]) r.getProperty(org.osgi.framework.Constants.OBJECTCLASS)) {
        assertFalse(type + " is in sight", type.startsWith(INTERNAL));
      }
    }
    for (String type :
        List.of(
            INTERNAL + "backend.BackendDirectory",
            INTERNAL + "backend.CoreAdmin",
            INTERNAL + "routing.Router",
            INTERNAL + "keys.CryptoKeyService",
            INTERNAL + "observe.Observers")) {
      assertEquals(type, null, context.getAllServiceReferences(type, null));
    }
    assertEquals(
        null, context.getAllServiceReferences(null, "(component.name=" + PLUGIN_MANAGER + ")"));
    // nor by service events: a routing change modifies the router's registration, unseen here
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    org.osgi.framework.ServiceListener listener =
        e -> {
          for (String t :
              (String[])
                  e.getServiceReference().getProperty(org.osgi.framework.Constants.OBJECTCLASS)) {
            seen.add(t);
          }
        };
    context.addServiceListener(listener);
    try {
      routeWith(new String[] {"tier=L2 -> first"}, "first");
      // an event this listener does receive, registered after the change: events arrive in order
      register("marker", 0, new SharedStore("marker"));
      await(
          "the marker's event",
          () -> seen.contains(org.openkcm.keystore.spi.Keystore.class.getName()));
      assertTrue(seen.toString(), seen.stream().noneMatch(t -> t.startsWith(INTERNAL)));
    } finally {
      context.removeServiceListener(listener);
    }
  }

  private static final String INTERNAL = "org.openkcm.keystore.core.internal.";

  private void storeRouted(KeyMetadata m) throws Exception {
    records().store(m, new byte[] {1, 2, 3});
  }
}
