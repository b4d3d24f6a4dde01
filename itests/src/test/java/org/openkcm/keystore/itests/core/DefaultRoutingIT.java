package org.openkcm.keystore.itests.core;

import static org.junit.Assert.assertEquals;

import java.util.Map;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyTier;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * Out of the box, with no routing configuration: the routes come from what the installed backend
 * bundles declare. Without an OpenBao address every tier goes to inmemory (the declared fallback);
 * once the OpenBao PID has an address, L2 and L3 go to openbao and L4 stays on inmemory.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DefaultRoutingIT extends CoreTestSupport {

  @Configuration
  public Option[] config() {
    return coreOptions(bundleFromProperty("gson"), bundleFromProperty("openbao"));
  }

  @Test
  public void everyTierOnInMemoryUntilOpenBaoHasAnAddress() throws Exception {
    KeyMetadata l2 = key("t", KeyTier.L2, "tenant:acme");
    KeyMetadata l3 = key("s", KeyTier.L3, "tenant:acme");
    KeyMetadata l4 = key("d", KeyTier.L4, "tenant:acme");
    await("inmemory backend", () -> route(l4).equals("inmemory"));
    assertEquals("inmemory", route(l2));
    assertEquals("inmemory", route(l3));

    register("openbao", 0, new SharedStore("openbao"));
    configure("org.openkcm.keystore.openbao", Map.of("address", "http://127.0.0.1:8200"));
    await("L2 to openbao once it has an address", () -> route(l2).equals("openbao"));
    assertEquals("openbao", route(l3));
    assertEquals("inmemory", route(l4));
  }

  private String route(KeyMetadata m) {
    try {
      return routeOf(m);
    } catch (Exception e) {
      return "error: " + e;
    }
  }
}
