package org.openkcm.keystore.itests.plugins;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.openkcm.keystore.api.RoutedRecords;
import org.openkcm.keystore.itests.KeystoreTestSupport;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.model.OwnerType;
import org.openkcm.keystore.spi.Keystore;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The go-plugin host bundle on real Felix + SCR + ConfigAdmin with the real reference plugin: a
 * factory configuration starts the process and registers a Keystore under the entry's name;
 * changing the entry while callers run stops the old process and starts the new one (no caller
 * fails beyond the absent wait); deleting it stops the process and unregisters the backend.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PluginHostIT extends KeystoreTestSupport {
  private static final String FACTORY = "org.openkcm.keystore.goplugin";
  private static final String NAME = "itbolt";

  /**
   * Generous against a loaded machine: a replacement is a Shutdown (the process exits at once) and
   * a start.
   */
  private static final java.time.Duration ABSENT_WAIT = java.time.Duration.ofSeconds(10);

  @Inject private ConfigurationAdmin configAdmin;

  @Inject private org.openkcm.keystore.api.KeystoreAdmin admin;

  @Configuration
  public Option[] config() {
    return new Option[] {
      baseOptions("protobuf", "failureaccess", "guava", "gson", "grpcjava", "proto", "pluginhost"),
      systemProperty("plugin.binary").value(System.getProperty("plugin.binary")),
      org.ops4j.pax.exam.CoreOptions.frameworkProperty("openkcm.keystore.config.ignoreEnvironment")
          .value("true")
    };
  }

  private List<ServiceReference<Keystore>> backends() {
    return services(Keystore.class, "(" + Keystore.BACKEND_PROPERTY + "=" + NAME + ")");
  }

  /** The service the core would pick: highest ranking of the name. */
  private Keystore current() {
    List<ServiceReference<Keystore>> refs = backends();
    refs.sort(null);
    return refs.isEmpty() ? null : context.getService(refs.get(refs.size() - 1));
  }

  private long currentPid() {
    List<ServiceReference<Keystore>> refs = backends();
    refs.sort(null);
    return refs.isEmpty()
        ? -1
        : ((Number) refs.get(refs.size() - 1).getProperty("keystore.plugin.pid")).longValue();
  }

  private static KeyMetadata md(String id) throws Exception {
    Instant now = Instant.now();
    return KeyMetadata.builder()
        .ref(KeyRef.of(id, 1))
        .tier(KeyTier.L2)
        .algorithm("AES-256-GCM")
        .keySize(256)
        .status(KeyStatus.ACTIVE)
        .owner(Owner.of(OwnerType.TENANT, "acme"))
        .createdAt(now)
        .updatedAt(now)
        .build();
  }

  private static String sha256(Path p) throws Exception {
    try (InputStream in = Files.newInputStream(p)) {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(in.readAllBytes()));
    }
  }

  @Test
  public void aFactoryConfigurationRunsTheReplacedEntryTakesOverAndDeletionStopsIt()
      throws Exception {
    Path binary = Path.of(System.getProperty("plugin.binary"));
    Path db = Files.createTempDirectory("plugin-it").resolve("ks.db");
    org.osgi.service.cm.Configuration c = configAdmin.getFactoryConfiguration(FACTORY, NAME, "?");
    Dictionary<String, Object> props = new Hashtable<>();
    props.put("name", NAME);
    props.put("path", binary.toString());
    props.put("args", new String[] {"-db", db.toString()});
    props.put("checksum", sha256(binary));
    props.put("logLevel", "info");
    props.put("yamlConfiguration", "maxRecordBytes: 8192\n");
    c.update(props);
    await("plugin registered as backend " + NAME, () -> !backends().isEmpty());
    Keystore first = current();
    assertEquals(8192, first.info().maxRecordBytes());
    first.store(md("it-1"), "one".getBytes(StandardCharsets.UTF_8));
    long firstPid = currentPid();
    await(
        "the core lists the plugin as a present backend (keystore:backends, console)",
        () -> admin.backends().stream().anyMatch(b -> b.name().equals(NAME) && b.present()));

    // replace the entry while callers read and write
    AtomicBoolean run = new AtomicBoolean(true);
    AtomicInteger ok = new AtomicInteger();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    Thread caller =
        new Thread(
            () -> {
              for (int i = 0; run.get(); i++) {
                String id = "hot-" + i;
                try {
                  storeWithAbsentWait(id);
                  ok.incrementAndGet();
                } catch (Throwable t) {
                  failures.add(t);
                }
              }
            });
    caller.start();
    await("callers running", () -> ok.get() > 50);
    props.put("logLevel", "debug");
    c.update(props);
    await("the new process took over", () -> currentPid() != firstPid && currentPid() > 0);
    await(
        "the old process stopped",
        () -> !ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false));
    int atSwitch = ok.get();
    await("callers continue on the new process", () -> ok.get() > atSwitch + 50);
    run.set(false);
    caller.join();
    assertTrue(
        "no caller failed beyond the absent wait across the replacement: " + failures,
        failures.isEmpty());
    assertEquals("one backend of the name once the old one stopped", 1, backends().size());
    assertArrayEquals(
        "one".getBytes(StandardCharsets.UTF_8), current().retrieve(KeyRef.of("it-1", 1)).sealed());

    long pid = currentPid();
    c.delete();
    await("backend unregistered", () -> backends().isEmpty());
    await(
        "the core sees it absent",
        () -> admin.backends().stream().noneMatch(b -> b.name().equals(NAME) && b.present()));
    await(
        "process stopped", () -> !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    assertFalse(
        ProcessHandle.current()
            .descendants()
            .anyMatch(
                h -> h.info().command().map(x -> x.contains("keystore-bbolt")).orElse(false)));
    assertNotEquals(firstPid, pid);
  }

  /**
   * A new binary (new checksum) replaces the process while 8 callers store and read back through
   * the core (routing, guarded calls, the default {@code plugins.absentWait} of 2 s): the host
   * starts the new process before it stops the old one, the reference plugin waits for the file
   * lock and opens when the old process let go, and no request fails; every acknowledged write is
   * there afterwards.
   */
  @Test
  public void aNewBinaryReplacesTheProcessWhileEightCallersRunThroughTheCoreAndNoRequestFails()
      throws Exception {
    String name = "itbolt-swap";
    Path dir = Files.createTempDirectory("plugin-swap");
    Path v1 = dir.resolve("keystore-bbolt-v1");
    Files.copy(Path.of(System.getProperty("plugin.binary")), v1);
    Path v2 = dir.resolve("keystore-bbolt-v2");
    Files.copy(v1, v2);
    // trailing bytes: the same program, another checksum, as a rebuilt binary would have
    Files.write(v2, new byte[] {1, 2, 3, 4}, java.nio.file.StandardOpenOption.APPEND);
    v1.toFile().setExecutable(true);
    v2.toFile().setExecutable(true);
    org.osgi.service.cm.Configuration c = configAdmin.getFactoryConfiguration(FACTORY, name, "?");
    Dictionary<String, Object> props = new Hashtable<>();
    props.put("name", name);
    props.put("path", v1.toString());
    props.put("args", new String[] {"-db", dir.resolve("ks.db").toString()});
    props.put("checksum", sha256(v1));
    props.put("logLevel", "warn");
    c.update(props);
    org.osgi.service.cm.Configuration routing =
        configAdmin.getConfiguration("org.openkcm.keystore.routing", "?");
    routing.update(
        new Hashtable<>(
            java.util.Map.of("rules", new String[] {"* -> " + name}, "defaultBackend", name)));
    await(
        "routing to " + name + " and the plugin registered",
        () ->
            admin.routes().get(0).backend().equals(name)
                && !services(Keystore.class, "(" + Keystore.BACKEND_PROPERTY + "=" + name + ")")
                    .isEmpty());
    long firstPid = pidOf(name);
    RoutedRecords records = records();

    AtomicBoolean run = new AtomicBoolean(true);
    AtomicInteger ok = new AtomicInteger();
    java.util.concurrent.atomic.AtomicLong slowest = new java.util.concurrent.atomic.AtomicLong();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<KeyRef> acknowledged = new ConcurrentLinkedQueue<>();
    List<Thread> callers = new java.util.ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int thread = t;
      Thread caller =
          new Thread(
              () -> {
                for (int i = 0; run.get(); i++) {
                  long start = System.nanoTime();
                  try {
                    KeyMetadata m = md("swap-" + thread + "-" + i);
                    byte[] b = m.id().getBytes(StandardCharsets.UTF_8);
                    records.store(m, b);
                    acknowledged.add(m.ref());
                    assertArrayEquals(b, records.retrieve(m.ref()).sealed());
                    ok.incrementAndGet();
                  } catch (Throwable e) {
                    failures.add(e);
                  }
                  slowest.accumulateAndGet(System.nanoTime() - start, Math::max);
                }
              },
              "swap-caller-" + t);
      callers.add(caller);
      caller.start();
    }
    try {
      await("callers running", () -> ok.get() > 200 || !failures.isEmpty());
      props.put("path", v2.toString());
      props.put("checksum", sha256(v2));
      c.update(props);
      await("the new binary took over", () -> pidOf(name) != firstPid && pidOf(name) > 0);
      await(
          "the old process stopped",
          () -> !ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false));
      int atSwitch = ok.get();
      await(
          "callers continue on the new process",
          () -> ok.get() > atSwitch + 200 || !failures.isEmpty());
    } finally {
      run.set(false);
      for (Thread t : callers) {
        t.join();
      }
    }
    assertTrue(
        "no request failed across the replacement (slowest call "
            + slowest.get() / 1_000_000
            + " ms): "
            + failures.stream().limit(5).map(Throwable::toString).toList(),
        failures.isEmpty());
    // the figure for the docs: how long the worst call waited across the replacement
    System.out.println(
        "hot replace under 8 callers: "
            + ok.get()
            + " requests ok, slowest "
            + slowest.get() / 1_000_000
            + " ms");
    for (KeyRef ref : acknowledged) {
      assertArrayEquals(
          "acknowledged write " + ref + " is there",
          ref.id().getBytes(StandardCharsets.UTF_8),
          records.retrieve(ref).sealed());
    }
    c.delete();
    routing.delete();
    await(
        "backend unregistered",
        () ->
            services(Keystore.class, "(" + Keystore.BACKEND_PROPERTY + "=" + name + ")").isEmpty());
  }

  private long pidOf(String name) {
    List<ServiceReference<Keystore>> refs =
        services(Keystore.class, "(" + Keystore.BACKEND_PROPERTY + "=" + name + ")");
    refs.sort(null);
    return refs.isEmpty()
        ? -1
        : ((Number) refs.get(refs.size() - 1).getProperty("keystore.plugin.pid")).longValue();
  }

  /** The core's routed record store: the guarded path every caller's record goes through. */
  private RoutedRecords records() throws InterruptedException {
    await("RoutedRecords", () -> !services(RoutedRecords.class, null).isEmpty());
    return context.getService(services(RoutedRecords.class, null).get(0));
  }

  /**
   * As the core's guarded path does for an absent or restarting backend: a call that finds no
   * backend, or fails with BackendUnavailable, is retried on the backend registered now, for up to
   * ABSENT_WAIT.
   */
  private void storeWithAbsentWait(String id) throws Exception {
    byte[] b = id.getBytes(StandardCharsets.UTF_8);
    long deadline = System.nanoTime() + ABSENT_WAIT.toNanos();
    while (true) {
      Keystore k = current();
      try {
        if (k != null) {
          k.store(md(id), b);
          return;
        }
      } catch (org.openkcm.keystore.model.KeyAlreadyExistsException landed) {
        return; // an earlier attempt had landed before the switch
      } catch (BackendUnavailableException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("backend absent for longer than " + ABSENT_WAIT);
      }
      java.util.concurrent.locks.LockSupport.parkNanos(
          java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(10)); // poll interval
    }
  }
}
