package org.openkcm.keystore.itests.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.FileInputStream;
import java.io.InputStream;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.openkcm.keystore.api.RoutedRecords;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.spi.Keystore;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceRegistration;

/**
 * A backend arriving, leaving and being replaced while requests run. The documented unavailable
 * window: a configured backend with no service at all for longer than {@code absentWait} (capped by
 * the call timeout). Shorter gaps (a bundle update) and replacements by a higher-ranked service
 * fail no request.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HotSwapIT extends CoreTestSupport {

  @Configuration
  public Option[] config() {
    return coreOptions();
  }

  /** Runs store-then-retrieve of fresh keys on two threads until stopped; records every failure. */
  private final class Load implements AutoCloseable {
    final AtomicInteger done = new AtomicInteger();
    final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    final AtomicBoolean stop = new AtomicBoolean();
    final CountDownLatch finished = new CountDownLatch(2);
    final RoutedRecords records;

    Load(String prefix, KeyTier tier, boolean readBack) throws Exception {
      records = records();
      for (int t = 0; t < 2; t++) {
        int thread = t;
        new Thread(
                () -> {
                  try {
                    for (int i = 0; !stop.get(); i++) {
                      KeyMetadata m = key(prefix + "-" + thread + "-" + i, tier, "tenant:acme");
                      try {
                        records.store(m, new byte[] {7, 7, 7});
                        if (readBack) {
                          assertEquals(m, records.retrieve(m.ref()).metadata());
                        }
                        done.incrementAndGet();
                      } catch (KeystoreException | RuntimeException | AssertionError e) {
                        failures.add(e);
                      }
                    }
                  } catch (Exception e) {
                    failures.add(e);
                  } finally {
                    finished.countDown();
                  }
                },
                "load-" + t)
            .start();
      }
    }

    void awaitProgress(int more) throws InterruptedException {
      int target = done.get() + more;
      await(more + " more requests", () -> done.get() >= target || !failures.isEmpty());
    }

    @Override
    public void close() {
      stop.set(true);
      try {
        assertTrue("load threads stopped", finished.await(30, TimeUnit.SECONDS));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while the load threads stopped", e);
      }
    }
  }

  @Test
  public void arrivingLeavingAndHigherRankedReplacementFailNoRequest() throws Exception {
    configure(
        "org.openkcm.keystore.routing",
        Map.of("rules", new String[] {"* -> vault"}, "defaultBackend", "vault"));
    configurePlugins(Map.of("absentWait", "10s", "callTimeout", "10s"));
    await("routing to vault", () -> admin0().routes().get(0).backend().equals("vault"));
    SharedStore v1 = new SharedStore("vault");
    ServiceRegistration<Keystore> first = register("vault", 0, v1);
    try (Load load = new Load("swap", KeyTier.L3, true)) {
      load.awaitProgress(200);
      SharedStore v2 = v1.twin();
      ServiceRegistration<Keystore> second = register("vault", 10, v2);
      int before = v2.calls();
      load.awaitProgress(200);
      assertTrue("the higher-ranked service took over", v2.calls() > before);
      first.unregister();
      load.awaitProgress(200);
      // leaving: no service at all for a moment, then a new one arrives; callers wait instead of
      // failing
      second.unregister();
      await(
          "the backend shows as absent",
          () ->
              admin0().backends().stream().anyMatch(b -> b.name().equals("vault") && !b.present()));
      int frozen = load.done.get();
      register("vault", 0, v1.twin());
      load.awaitProgress(200);
      assertTrue(load.done.get() > frozen);
      assertEquals(List.of(), List.copyOf(load.failures));
    }
    // every acknowledged request left its key in the shared store (at most one unacknowledged per
    // thread)
    assertTrue(v1.size() >= 800);
  }

  @Test
  public void anInPlaceBundleUpdateOfTheInMemoryBackendFailsNoStore() throws Exception {
    configure(
        "org.openkcm.keystore.routing",
        Map.of("rules", new String[] {"tier=L4 -> inmemory"}, "defaultBackend", "inmemory"));
    configurePlugins(Map.of("absentWait", "10s", "callTimeout", "10s"));
    await("routing to inmemory", () -> admin0().routes().get(0).backend().equals("inmemory"));
    Bundle inmemory = installedBundle("openkcm-keystore-inmemory");
    try (Load load = new Load("update", KeyTier.L4, false)) {
      load.awaitProgress(200);
      try (InputStream in = new FileInputStream(new File(URI.create(inmemory.getLocation())))) {
        inmemory.update(in); // stop (service leaves), replace, start (service returns)
      }
      load.awaitProgress(200);
      assertEquals(List.of(), List.copyOf(load.failures));
    }
  }

  @Test
  public void aBackendAbsentLongerThanTheWindowFailsFastWithATypedErrorNamingIt() throws Exception {
    configure(
        "org.openkcm.keystore.routing",
        Map.of("rules", new String[] {"* -> gone"}, "defaultBackend", "gone"));
    configurePlugins(Map.of("absentWait", "200ms", "callTimeout", "5s"));
    await("routing to gone", () -> admin0().routes().get(0).backend().equals("gone"));
    KeyMetadata m = key("probe", KeyTier.L2, "tenant:acme");
    long start = System.nanoTime();
    try {
      records().store(m, new byte[] {1});
      throw new AssertionError("a store to an absent backend must fail");
    } catch (BackendUnavailableException e) {
      assertTrue(e.getMessage(), e.getMessage().contains("'gone'"));
      assertEquals("gone", e.backend().orElseThrow());
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue("failed after " + ms + " ms", ms >= 150 && ms < 2000);
    }
  }

  private org.openkcm.keystore.api.KeystoreAdmin admin0() {
    try {
      return admin();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
