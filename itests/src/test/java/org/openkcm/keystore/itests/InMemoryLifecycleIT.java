package org.openkcm.keystore.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.FileInputStream;
import java.io.InputStream;
import java.net.URI;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.spi.Keystore;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/**
 * The InMemory backend registers as a {@code Keystore} named {@code inmemory}, and stopping,
 * uninstalling, reinstalling and updating its bundle makes the service leave and come back.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class InMemoryLifecycleIT extends KeystoreTestSupport {
  private static final String BSN = "openkcm-keystore-inmemory";
  private static final String FILTER = "(" + Keystore.BACKEND_PROPERTY + "=inmemory)";

  @Configuration
  public Option[] config() {
    return new Option[] {baseOptions()};
  }

  private boolean registered() {
    return !services(Keystore.class, FILTER).isEmpty();
  }

  @Test
  public void registersAndServesAsInmemory() throws Exception {
    await("inmemory Keystore service", this::registered);
    ServiceReference<Keystore> ref = services(Keystore.class, FILTER).get(0);
    Keystore ks = context.getService(ref);
    try {
      KeyMetadata md =
          KeyMetadata.builder()
              .ref(KeyRef.of("itest-l2", 1))
              .tier(KeyTier.L2)
              .owner(Owner.tenant("acme"))
              .build();
      ks.store(md, new byte[] {1, 2, 3});
      assertEquals(md, ks.retrieve(md.ref()).metadata());
      assertEquals("inmemory", ks.info().name());
    } finally {
      context.ungetService(ref);
    }
  }

  @Test
  public void stopAndStartMakeTheServiceLeaveAndReturn() throws Exception {
    await("inmemory Keystore service", this::registered);
    Bundle b = installedBundle(BSN);
    b.stop();
    assertTrue("service gone once the bundle stopped", !registered());
    b.start();
    await("service back after start", this::registered);
  }

  @Test
  public void uninstallReinstallAndUpdate() throws Exception {
    await("inmemory Keystore service", this::registered);
    Bundle b = installedBundle(BSN);
    String location = b.getLocation();
    b.uninstall();
    assertTrue("service gone once the bundle is uninstalled", !registered());

    Bundle again = context.installBundle(location);
    again.start();
    await("service back after reinstall", this::registered);
    long before = services(Keystore.class, FILTER).get(0).getBundle().getBundleId();

    try (InputStream in = new FileInputStream(new File(URI.create(location)))) {
      again.update(in);
    }
    await("service back after update", this::registered);
    assertEquals(before, services(Keystore.class, FILTER).get(0).getBundle().getBundleId());
    assertEquals(Bundle.ACTIVE, again.getState());
  }
}
