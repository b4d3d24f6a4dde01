package org.openkcm.keystore.itests.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import java.util.List;
import java.util.Map;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.openkcm.keystore.api.KeyService;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/**
 * The earlier duration names in a configuration written straight into ConfigAdmin (as a Karaf .cfg
 * file or a Web Console edit does): the cache component runs with the duration they stand for, the
 * new name wins when both are set, and a configuration already there when the core starts is
 * rewritten too.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class LegacyDurationIT extends CoreTestSupport {
  private static final String CACHE = "org.openkcm.keystore.cache";
  private static final String CRYPTO = "org.openkcm.keystore.core.internal.keys.CryptoKeyService";

  @Configuration
  public Option[] config() {
    return coreOptions();
  }

  /**
   * Waits until the crypto core (behind the public KeyService, used so it is active) runs with
   * {@code field} = {@code value}, as the DS runtime reports its configuration.
   */
  private void awaitRunningWith(String field, String value) throws InterruptedException {
    await(
        CRYPTO + " running with " + field + "=" + value,
        () -> {
          List<ServiceReference<KeyService>> refs = services(KeyService.class, null);
          if (refs.isEmpty()) {
            return false;
          }
          KeyService keys = context.getService(refs.get(0));
          try {
            keys.cacheStatistics();
            return value.equals(componentProperties(CRYPTO).get(field));
          } finally {
            context.ungetService(refs.get(0));
          }
        });
  }

  @Test
  public void oldNamesReachTheComponentAsDurationsAndTheNewNameWins() throws Exception {
    // a .cfg file delivers strings: l2.ttlSeconds=300
    configure(CACHE, Map.of("l2.ttlSeconds", "300", "revalidateAfterMillis", 250));
    awaitRunningWith("l2.ttl", "300s");
    assertEquals("250ms", componentProperties(CRYPTO).get("revalidateAfter"));
    assertFalse(componentProperties(CRYPTO).containsKey("l2.ttlSeconds"));
    // the stored configuration stays as the operator wrote it
    assertEquals(
        "300", configAdmin().getConfiguration(CACHE, "?").getProperties().get("l2.ttlSeconds"));

    configure(CACHE, Map.of("l2.ttlSeconds", "300", "l2.ttl", "2m"));
    awaitRunningWith("l2.ttl", "2m");
    assertFalse(componentProperties(CRYPTO).containsKey("l2.ttlSeconds"));
  }

  @Test
  public void aConfigurationThereBeforeTheCoreStartsIsRewrittenToo() throws Exception {
    configure(CACHE, Map.of("l3.idleSeconds", "45"));
    awaitRunningWith("l3.idle", "45s");
    Bundle core = installedBundle("openkcm-keystore-core");
    core.stop();
    core.start();
    awaitRunningWith("l3.idle", "45s");
  }
}
