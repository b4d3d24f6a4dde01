package org.openkcm.keystore.itests.core;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.openkcm.keystore.api.CreateKeyRequest;
import org.openkcm.keystore.api.KeyHandle;
import org.openkcm.keystore.api.KeyService;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.spi.Keystore;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.ServiceRegistration;

/**
 * The backend leaves while the crypto core's sagas run (its service unregistered, as when its
 * bundle is stopped or uninstalled) for longer than {@code absentWait}, then comes back over the
 * same stored data. KeyService calls fail typed meanwhile (circuit breaker open), work again
 * afterwards, and the periodic reconciler (real SCR + ConfigAdmin) leaves no PENDING record or
 * intent tag; every acknowledged key opens and decrypts what it encrypted.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class KeyServiceOutageIT extends CoreTestSupport {

  @Configuration
  public Option[] config() {
    return coreOptions();
  }

  private record Sealed(String keyId, byte[] plaintext, byte[] ciphertext) {}

  @Test
  public void backendLeavingMidRunLosesNoAcknowledgedWriteAndLeavesNoPendingRecord()
      throws Exception {
    configure(
        "org.openkcm.keystore.rootkey",
        Map.of(
            "provider",
            "local",
            "masterKeyFile",
            Files.createTempDirectory("outage-it").resolve("master.key").toString()));
    configure(
        "org.openkcm.keystore.routing",
        Map.of("rules", new String[] {"* -> vault"}, "defaultBackend", "vault"));
    configure(
        "org.openkcm.keystore.plugins",
        Map.of(
            "absentWait",
            "100ms",
            "callTimeout",
            "2s",
            "breakerFailures",
            3,
            "breakerOpenTime",
            "200ms"));
    configure("org.openkcm.keystore.reconciler", Map.of("interval", "200ms", "gracePeriod", "1s"));
    await("routing to vault", () -> admin0().routes().get(0).backend().equals("vault"));
    SharedStore store = new SharedStore("vault");
    ServiceRegistration<Keystore> reg = register("vault", 0, store);
    await("KeyService", () -> !services(KeyService.class, null).isEmpty());
    KeyService keys = context.getService(services(KeyService.class, null).get(0));

    List<Sealed> acked = new ArrayList<>();
    ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger unavailable = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();
    Thread worker =
        new Thread(
            () -> {
              for (int i = 0; !stop.get(); i++) {
                try {
                  step(keys, i, acked);
                  ok.incrementAndGet();
                } catch (BackendUnavailableException e) {
                  unavailable.incrementAndGet();
                } catch (KeystoreException | RuntimeException e) {
                  // a lost race with our own half-done rotation (reconciler pending) or a create
                  // whose outcome was unknown
                  if (!(e instanceof org.openkcm.keystore.model.ConcurrentUpdateException
                      || e instanceof org.openkcm.keystore.model.KeyAlreadyExistsException)) {
                    unexpected.add(e);
                  }
                }
              }
            },
            "outage-load");
    worker.start();
    try {
      await("work before the outage", () -> ok.get() >= 150 || !unexpected.isEmpty());
      reg.unregister(); // the backend's bundle stops: its service leaves
      int failedBefore = unavailable.get();
      await(
          "calls failing during the outage",
          () -> unavailable.get() >= failedBefore + 30 || !unexpected.isEmpty());
      await(
          "the backend shows as absent",
          () ->
              admin0().backends().stream().anyMatch(b -> b.name().equals("vault") && !b.present()));
      register("vault", 0, store.twin()); // ... and comes back over the same data
      int okAfter = ok.get();
      await("work after the outage", () -> ok.get() >= okAfter + 150 || !unexpected.isEmpty());
    } finally {
      stop.set(true);
      worker.join(30_000);
    }
    System.out.printf(
        "outage run: %d operations ok, %d failed BackendUnavailable, %d acknowledged ciphertexts, %d records%n",
        ok.get(),
        unavailable.get(),
        acked.size(),
        store.list(KeyFilter.all().withPageSize(1000)).items().size());
    assertEquals(List.of(), List.copyOf(unexpected));
    await("no PENDING record or intent tag after the reconciler", () -> leftovers(store).isEmpty());
    for (Sealed s : snapshot(acked)) {
      assertArrayEquals(
          s.plaintext(),
          keys.decrypt(s.keyId(), s.ciphertext(), s.keyId().getBytes(StandardCharsets.UTF_8)));
    }
    assertTrue("the run acknowledged work on both sides of the outage", acked.size() > 50);
  }

  private static List<Sealed> snapshot(List<Sealed> acked) {
    synchronized (acked) {
      return new ArrayList<>(acked);
    }
  }

  /**
   * One round: an L2 now and then, an L3 under the newest L2, an L4 encrypting under it, rotations.
   */
  private static void step(KeyService keys, int i, List<Sealed> acked) throws KeystoreException {
    String l2 = "t-" + (i / 50);
    if (i % 50 == 0 || !exists(keys, l2)) {
      keys.create(CreateKeyRequest.builder(KeyTier.L2, Owner.tenant("acme")).keyId(l2).build());
    }
    String l3 = "s-" + (i / 10);
    if (!exists(keys, l3)) {
      keys.create(
          CreateKeyRequest.builder(KeyTier.L3, Owner.service("svc"))
              .keyId(l3)
              .parentId(l2)
              .build());
    }
    KeyMetadata l4 =
        keys.create(
            CreateKeyRequest.builder(KeyTier.L4, Owner.service("svc")).parentId(l3).build());
    byte[] plaintext = ("data-" + i).getBytes(StandardCharsets.UTF_8);
    byte[] ct = keys.encrypt(l4.id(), plaintext, l4.id().getBytes(StandardCharsets.UTF_8));
    synchronized (acked) {
      acked.add(new Sealed(l4.id(), plaintext, ct));
    }
    if (i % 7 == 0) {
      keys.rotate(l3);
    }
    if (i % 11 == 0) {
      keys.rotate(l4.id());
    }
  }

  private static boolean exists(KeyService keys, String id) throws KeystoreException {
    try (KeyHandle h = keys.openActive(id)) {
      return h.metadata().status() == KeyStatus.ACTIVE;
    } catch (org.openkcm.keystore.model.KeyNotFoundException e) {
      return false;
    }
  }

  private static List<KeyMetadata> leftovers(SharedStore store) {
    List<KeyMetadata> out = new ArrayList<>();
    KeyFilter f = KeyFilter.all().withPageSize(1000);
    while (true) {
      org.openkcm.keystore.model.Page<KeyMetadata> p = store.list(f);
      for (KeyMetadata m : p.items()) {
        if (m.status() == KeyStatus.PENDING || m.tags().containsKey("openkcm.saga")) {
          out.add(m);
        }
      }
      if (p.nextCursor().isEmpty() || p.items().isEmpty()) {
        return out;
      }
      f = f.after(p.items().get(p.items().size() - 1).ref());
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
