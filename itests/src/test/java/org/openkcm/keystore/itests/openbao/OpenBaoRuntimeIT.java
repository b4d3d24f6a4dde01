package org.openkcm.keystore.itests.openbao;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.openkcm.keystore.api.KeyHandle;
import org.openkcm.keystore.api.KeyService;
import org.openkcm.keystore.model.BackendSealedException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyNotFoundException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.spi.BackendState;
import org.openkcm.keystore.spi.KeyRecord;
import org.openkcm.keystore.spi.Keystore;
import org.openkcm.keystore.spi.RootKeyProvider;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.ServiceReference;

/**
 * The whole runtime on a real OpenBao: default routing puts L2/L3 on openbao and L4 on inmemory;
 * keys of every tier created through KeyService open from where they were stored (cache off); and
 * what OpenBao holds for L2/L3, read with the real {@code bao kv get}, contains no form of the key
 * material; sealing the server while calls run gives typed errors within the deadline and the
 * runtime recovers by itself. No service carries the token. One class, so one framework and one bao
 * server serve all tests.
 */
@RunWith(OpenBaoPaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class OpenBaoRuntimeIT extends OpenBaoTestSupport {
  /** plugins.callTimeout (default 5 s) */
  private static final long CALL_DEADLINE_MS = 5_000;

  @Configuration
  public Option[] config() {
    return openBaoOptions();
  }

  @Test
  public void defaultRoutingSendsL2AndL3ToOpenBaoAndL4ToInMemory() throws Exception {
    assertEquals("openbao", routeOf(key("t", KeyTier.L2, "tenant:acme")));
    assertEquals("openbao", routeOf(key("s", KeyTier.L3, "service:billing")));
    assertEquals("inmemory", routeOf(key("d", KeyTier.L4, "service:billing")));
    assertTrue(
        "openbao is persistent (it is the real backend, not a stand-in)",
        backend("openbao").info().persistent());
  }

  @Test
  public void keysOfEveryTierAreStoredWhereRoutedAndOpen() throws Exception {
    KeyService s = keyService();
    KeyMetadata l2 = meta(s, KeyTier.L2, Owner.tenant("acme"), null);
    KeyMetadata l3 = meta(s, KeyTier.L3, Owner.service("billing"), l2.id());
    KeyMetadata l4 = meta(s, KeyTier.L4, Owner.service("billing"), l3.id());
    Keystore bao = backend("openbao");
    Keystore memory = backend("inmemory");
    for (KeyMetadata m : new KeyMetadata[] {l2, l3}) {
      assertEquals(m.ref(), bao.retrieve(m.ref()).metadata().ref());
      assertAbsent(memory, m);
    }
    assertEquals(l4.ref(), memory.retrieve(l4.ref()).metadata().ref());
    assertAbsent(bao, l4);
    for (KeyMetadata m : new KeyMetadata[] {l2, l3, l4}) {
      byte[] first = material(s, m);
      byte[] again = material(s, m);
      assertEquals(m.ref() + " size", m.keySize() / 8, first.length);
      assertArrayEquals(m.ref() + " opens to the same material every time", first, again);
      try (KeyHandle h = s.open(m.ref())) {
        byte[] data = "payload".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(data, h.decrypt(h.encrypt(data, new byte[0]), new byte[0]));
      }
    }
  }

  @Test
  public void storedL2AndL3SecretsHoldNoPlaintextKeyMaterial() throws Exception {
    KeyService s = keyService();
    KeyMetadata l2 = meta(s, KeyTier.L2, Owner.tenant("globex"), null);
    KeyMetadata l3 = meta(s, KeyTier.L3, Owner.service("payments"), l2.id());
    for (KeyMetadata m : new KeyMetadata[] {l2, l3}) {
      byte[] material = material(s, m);
      BaoCli.Result r = kvGet(m.ref());
      String json = r.out();
      // the right secret: the backend's fields, this key's id, and the sealed bytes exactly as
      // stored
      assertTrue(
          json,
          json.contains("\"key_id\": \"" + m.id() + "\"")
              || json.contains("\"key_id\":\"" + m.id() + "\""));
      KeyRecord stored = backend("openbao").retrieve(m.ref());
      assertTrue(
          "the CLI shows the sealed record",
          json.contains(Base64.getEncoder().encodeToString(stored.sealed())));
      byte[] lowerCase = json.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8);
      for (Map.Entry<String, byte[]> form : forms(material).entrySet()) {
        boolean found =
            indexOf(r.stdout(), form.getValue()) >= 0
                || form.getKey().startsWith("hex") && indexOf(lowerCase, form.getValue()) >= 0;
        assertFalse(
            m.ref() + ": " + form.getKey() + " of the key material appears in bao kv get", found);
      }
      Arrays.fill(material, (byte) 0);
    }
  }

  /**
   * The configured token must not be readable by other bundles: no service in the framework may
   * carry it as a property (Declarative Services publishes component properties, i.e. the
   * configuration, as service properties of a component that provides a service). Checked with the
   * KV backend and the Transit root-key provider both configured and registered.
   */
  @Test
  public void noServiceCarriesTheToken() throws Exception {
    BaoCli.Result enable = BaoCli.run("secrets", "enable", "transit");
    assertTrue(
        enable.stderr(),
        enable.exitCode() == 0 || enable.stderr().contains("path is already in use"));
    BaoCli.ok("write", "-f", "transit/keys/openkcm-root", "type=aes256-gcm96");
    configure(
        "org.openkcm.keystore.openbao.transit",
        Map.of("address", BaoCli.address(), "token", BaoCli.token()));
    String transit = "(" + RootKeyProvider.PROVIDER_PROPERTY + "=openbao-transit)";
    await(
        "Transit root-key provider registered",
        () -> !services(RootKeyProvider.class, transit).isEmpty());
    backend("openbao");
    String token = BaoCli.token();
    for (ServiceReference<?> ref : context.getAllServiceReferences(null, null)) {
      for (String k : ref.getPropertyKeys()) {
        Object v = ref.getProperty(k);
        String text = v instanceof Object[] a ? Arrays.deepToString(a) : String.valueOf(v);
        assertFalse(
            "service "
                + ref.getProperty("service.id")
                + " "
                + Arrays.toString((String[]) ref.getProperty("objectClass"))
                + " carries the token as property '"
                + k
                + "'",
            text.contains(token));
      }
    }
  }

  /**
   * {@code bao operator seal} while two callers open an L3 and one creates L3s: every failure is
   * the typed BackendSealedException, each within the call deadline; KeystoreAdmin shows SEALED;
   * after {@code bao operator unseal} it shows UP again by itself and calls succeed; every create
   * that was acknowledged is in OpenBao and opens, and the L3 opens to the same material as before.
   */
  @Test
  public void sealedServerGivesTypedErrorsWithinTheDeadlineAndRecoversByItself() throws Exception {
    KeyService s = keyService();
    KeyMetadata l2 = meta(s, KeyTier.L2, Owner.tenant("initech"), null);
    KeyMetadata l3 = meta(s, KeyTier.L3, Owner.service("ledger"), l2.id());
    byte[] before = material(s, l3);
    List<KeyRef> created = new CopyOnWriteArrayList<>();
    CallerLoad load = new CallerLoad();
    long sealedAt;
    long unsealAt;
    boolean sealed = false;
    try {
      startCallers(load, s, l3, before, created);
      await("calls succeed before the seal", () -> load.successesSince(0) >= 6);
      BaoCli.ok("operator", "seal");
      sealed = true;
      sealedAt = System.nanoTime();
      await(
          "callers get BackendSealedException",
          () -> load.failuresOf(BackendSealedException.class) >= 3);
      await("KeystoreAdmin shows SEALED", () -> state("openbao") == BackendState.SEALED);
      unsealAt = System.nanoTime();
      BaoCli.ok("operator", "unseal", BaoCli.required(BaoFixture.UNSEAL_KEY));
      sealed = false;
      await("KeystoreAdmin shows UP again by itself", () -> state("openbao") == BackendState.UP);
      long up = System.nanoTime();
      await("calls succeed again", () -> load.successesSince(up) >= 6);
    } finally {
      load.close();
      if (sealed) {
        BaoCli.run("operator", "unseal", BaoCli.required(BaoFixture.UNSEAL_KEY));
      }
    }
    assertOutcomes(load, sealedAt, unsealAt);
    assertArrayEquals("the L3 opens to the same material after the seal", before, material(s, l3));
    assertFalse(created.isEmpty());
    Keystore bao = backend("openbao");
    for (KeyRef ref : created) {
      assertEquals(ref, bao.retrieve(ref).metadata().ref());
      Arrays.fill(material(s, bao.retrieve(ref).metadata()), (byte) 0);
    }
  }

  /**
   * The OpenBao backend's bundle is stopped while a worker creates L3 keys (sagas: create under a
   * parent, rotation) and encrypts with them, then started again over the same server. Callers see
   * only typed errors meanwhile; afterwards the reconciler leaves no PENDING record, every
   * acknowledged key is in OpenBao and opens, and every acknowledged ciphertext decrypts.
   */
  @Test
  public void stoppingAndStartingTheBackendBundleMidRunLosesNoAcknowledgedWrite() throws Exception {
    configure("org.openkcm.keystore.reconciler", Map.of("interval", "200ms", "gracePeriod", "1s"));
    KeyService s = keyService();
    KeyMetadata l2 = meta(s, KeyTier.L2, Owner.tenant("umbrella"), null);
    List<KeyRef> created = new CopyOnWriteArrayList<>();
    Map<String, byte[]> sealedData = new java.util.concurrent.ConcurrentHashMap<>();
    Map<String, byte[]> plain = new java.util.concurrent.ConcurrentHashMap<>();
    CallerLoad load = new CallerLoad();
    org.osgi.framework.Bundle bundle = installedBundle("openkcm-keystore-openbao");
    try {
      java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
      load.start(
          "create+encrypt+rotate",
          () -> {
            KeyMetadata m = meta(s, KeyTier.L3, Owner.service("hive"), l2.id());
            created.add(m.ref());
            byte[] data = ("record " + n.incrementAndGet()).getBytes(StandardCharsets.UTF_8);
            sealedData.put(m.id(), s.encrypt(m.id(), data, new byte[0]));
            plain.put(m.id(), data);
            if (n.get() % 3 == 0) {
              s.rotate(m.id());
            }
            return m.ref();
          });
      await("work before the stop", () -> load.successesSince(0) >= 10);
      bundle.stop();
      long stopped = System.nanoTime();
      await(
          "callers see the backend unavailable",
          () -> load.failuresOf(org.openkcm.keystore.model.BackendUnavailableException.class) >= 3);
      bundle.start();
      long started = System.nanoTime();
      await("work after the start", () -> load.successesSince(started) >= 10);
      assertTrue(started > stopped);
    } finally {
      load.close();
      if (bundle.getState() != org.osgi.framework.Bundle.ACTIVE) {
        bundle.start();
      }
    }
    for (CallerLoad.Outcome o : load.outcomes) {
      // typed unavailability while the bundle is away; a rotation may lose a race with the
      // reconciler
      // finishing an earlier half-done one: nothing else
      assertTrue(
          o.caller() + " saw " + o.failure(),
          o.failure() == null
              || org.openkcm.keystore.model.BackendUnavailableException.class.isAssignableFrom(
                  o.failure())
              || o.failure() == org.openkcm.keystore.model.ConcurrentUpdateException.class);
    }
    org.openkcm.keystore.model.KeyFilter pending =
        org.openkcm.keystore.model.KeyFilter.builder()
            .status(org.openkcm.keystore.model.KeyStatus.PENDING)
            .build();
    await(
        "no PENDING record after the reconciler",
        () -> {
          try {
            return s.list(pending).items().isEmpty();
          } catch (Exception e) {
            return false;
          }
        });
    Keystore bao = backend("openbao");
    for (KeyRef ref : created) {
      assertEquals(ref, bao.retrieve(ref).metadata().ref());
    }
    for (Map.Entry<String, byte[]> e : sealedData.entrySet()) {
      assertArrayEquals(
          e.getKey(), plain.get(e.getKey()), s.decrypt(e.getKey(), e.getValue(), new byte[0]));
    }
    System.out.println(
        "bundle stop under load: "
            + load.outcomes.size()
            + " calls, "
            + created.size()
            + " acknowledged keys, "
            + sealedData.size()
            + " acknowledged ciphertexts, all readable");
  }

  /**
   * Two callers open the L3 (and check its material), one creates L3s under the same L2 (and
   * records them).
   */
  private static void startCallers(
      CallerLoad load, KeyService s, KeyMetadata l3, byte[] before, List<KeyRef> created) {
    for (int i = 0; i < 2; i++) {
      load.start(
          "open-" + i,
          () -> {
            assertArrayEquals(before, material(s, l3));
            return l3.ref();
          });
    }
    String l2 = l3.parent().orElseThrow().id();
    load.start(
        "create",
        () -> {
          KeyMetadata m = meta(s, KeyTier.L3, Owner.service("ledger"), l2);
          created.add(m.ref());
          return m.ref();
        });
  }

  /**
   * Only typed sealed errors, none slower than the call deadline, and nothing succeeded while
   * sealed.
   */
  private static void assertOutcomes(CallerLoad load, long sealedAt, long unsealAt) {
    Map<Class<? extends Throwable>, Long> types = new LinkedHashMap<>();
    long slowest = 0;
    for (CallerLoad.Outcome o : load.outcomes) {
      slowest = Math.max(slowest, o.millis());
      if (o.failure() != null) {
        types.merge(o.failure(), 1L, Long::sum);
      } else {
        assertFalse(
            o.caller() + " succeeded while bao was sealed",
            o.startNanos() > sealedAt && o.endNanos() < unsealAt);
      }
    }
    assertEquals(
        "failures callers saw: " + types,
        Map.of(BackendSealedException.class, types.get(BackendSealedException.class)),
        types);
    assertTrue(
        "slowest call " + slowest + " ms exceeds the 5 s call deadline",
        slowest < CALL_DEADLINE_MS);
    // a record of what the callers saw, in the failsafe output (no key material: counts and times
    // only)
    System.out.println(
        "seal under load: "
            + load.outcomes.size()
            + " calls, failures "
            + types
            + ", slowest "
            + slowest
            + " ms");
  }

  /** Raw bytes and their 8-byte prefix, hex, and base64 (standard/URL-safe, padded or not). */
  private static Map<String, byte[]> forms(byte[] material) {
    Map<String, byte[]> f = new LinkedHashMap<>();
    f.put("raw bytes", material);
    f.put("raw 8-byte prefix", Arrays.copyOf(material, 8));
    f.put("hex", HexFormat.of().formatHex(material).getBytes(StandardCharsets.US_ASCII));
    f.put(
        "hex of the 8-byte prefix",
        HexFormat.of().formatHex(material, 0, 8).getBytes(StandardCharsets.US_ASCII));
    f.put("base64", Base64.getEncoder().encode(material));
    f.put("base64 without padding", Base64.getEncoder().withoutPadding().encode(material));
    f.put("base64url", Base64.getUrlEncoder().withoutPadding().encode(material));
    f.put("base64 of the 12-byte prefix", Base64.getEncoder().encode(Arrays.copyOf(material, 12)));
    return f;
  }

  /**
   * In the container, where the testkit (a JUnit 5 jar) is not installed: the same search as
   * testkit PlaintextScan.
   */
  static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static byte[] material(KeyService s, KeyMetadata m) throws Exception {
    try (KeyHandle h = s.open(m.ref())) {
      byte[] b = h.copyMaterial();
      assertNotNull(b);
      return b;
    }
  }

  private static void assertAbsent(Keystore k, KeyMetadata m) throws Exception {
    try {
      k.retrieve(m.ref());
      fail(m.ref() + " must not be in " + k.info().name());
    } catch (KeyNotFoundException expected) {
      // stored only where routing put it
    }
  }
}
