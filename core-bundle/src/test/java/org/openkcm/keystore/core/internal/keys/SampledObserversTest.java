package org.openkcm.keystore.core.internal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openkcm.keystore.api.CreateKeyRequest;
import org.openkcm.keystore.api.KeyHandle;
import org.openkcm.keystore.api.KeyService;
import org.openkcm.keystore.audit.AuditUnavailableException;
import org.openkcm.keystore.audit.OperationCounts;
import org.openkcm.keystore.audit.OperationEvent;
import org.openkcm.keystore.audit.OperationObserver;
import org.openkcm.keystore.core.internal.cache.CacheSettings;
import org.openkcm.keystore.core.internal.cache.KeyCache;
import org.openkcm.keystore.core.internal.crypto.LocalRootKeyProvider;
import org.openkcm.keystore.core.internal.observe.ObservedKeyService;
import org.openkcm.keystore.core.internal.observe.Observers;
import org.openkcm.keystore.core.internal.observe.OperationCountsView;
import org.openkcm.keystore.core.internal.routing.RoutingTable;
import org.openkcm.keystore.inmemory.internal.InMemoryKeystore;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyNotFoundException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Owner;

/**
 * Observers that accept samples next to the audit trail: the trail still sees every call, the
 * sampled observer one timed call in its period (weighted) plus every failure, and the core's
 * counts are exact whoever is registered.
 */
class SampledObserversTest {
  private static final int PERIOD = 8;

  @TempDir Path dir;
  private final InMemoryKeystore memory = new InMemoryKeystore("inmemory", 1000);
  private final List<OperationEvent> trail = new CopyOnWriteArrayList<>();
  private final List<OperationEvent> sampled = new CopyOnWriteArrayList<>();
  private LocalRootKeyProvider root;
  private CryptoKeyService core;
  private RoutingTable table;

  /** Like the metrics: one call in {@link #PERIOD} will do. */
  private final OperationObserver sampling =
      new OperationObserver() {
        @Override
        public void completed(OperationEvent event) {
          sampled.add(event);
        }

        @Override
        public int sampleEvery() {
          return PERIOD;
        }
      };

  /** Like the audit trail: every event (the default). */
  private final OperationObserver everything = trail::add;

  @BeforeEach
  void setUp() throws Exception {
    root = new LocalRootKeyProvider(dir.resolve("master.key"), n -> null);
    core =
        new CryptoKeyService(
            new TestDirectory(memory), root, new KeyCache(CacheSettings.defaults()));
    table = RoutingTable.parse(new String[0], "inmemory", new String[0]);
  }

  @AfterEach
  void tearDown() {
    core.close();
    root.close();
  }

  private KeyService door(Observers observers) {
    return new ObservedKeyService(core, observers, () -> table, "org.example.caller");
  }

  private KeyMetadata l4(KeyService door) throws KeystoreException {
    KeyMetadata l2 =
        door.create(CreateKeyRequest.builder(KeyTier.L2, Owner.tenant("acme")).build());
    KeyMetadata l3 =
        door.create(
            CreateKeyRequest.builder(KeyTier.L3, Owner.service("billing"))
                .parentId(l2.id())
                .build());
    return door.create(
        CreateKeyRequest.builder(KeyTier.L4, Owner.service("billing")).parentId(l3.id()).build());
  }

  private static void open(KeyService door, KeyRef ref, int times) throws KeystoreException {
    for (int i = 0; i < times; i++) {
      try (KeyHandle h = door.open(ref)) {
        assertThat(h.metadata().ref()).isEqualTo(ref);
      }
    }
  }

  private static void fail(KeyService door, int times) {
    for (int i = 0; i < times; i++) {
      assertThatThrownBy(() -> door.open(KeyRef.of("l4-" + "0".repeat(32), 1)))
          .isInstanceOf(KeyNotFoundException.class);
    }
  }

  private static List<OperationEvent> opens(List<OperationEvent> events) {
    return events.stream().filter(e -> e.operation().equals("key.open")).toList();
  }

  @Test
  void anObserverOfItsOwnBundleSeesOnlyThatBundlesCallsAndTheOtherDoorsStayOnTheSample()
      throws Exception {
    List<OperationEvent> witnessed = new CopyOnWriteArrayList<>();
    Observers observers = Observers.of(sampling);
    observers.addForBundle(witnessed::add, "org.example.grpc");
    KeyService other = door(observers);
    KeyService grpc = new ObservedKeyService(core, observers, () -> table, "org.example.grpc");
    KeyMetadata mine = l4(grpc);
    open(grpc, mine.ref(), 10);
    KeyMetadata theirs = l4(other);
    open(other, theirs.ref(), 100);

    // the witness: every call of its own bundle (3 creates, 10 opens), none of the other's
    assertThat(witnessed).hasSize(13);
    assertThat(witnessed).allSatisfy(e -> assertThat(e.bundle()).contains("org.example.grpc"));
    assertThat(opens(witnessed)).hasSize(10);
    // the other door built events only for the sample: one in PERIOD (the thread's countdown is
    // shared by both doors' opens, so where the 100 start in it decides between 12 and 13)
    assertThat(
            opens(sampled).stream()
                .filter(e -> e.bundle().orElse("").equals("org.example.caller"))
                .toList())
        .hasSizeBetween(100 / PERIOD, 100 / PERIOD + 1)
        .allSatisfy(e -> assertThat(e.sampleWeight()).isEqualTo(PERIOD));
  }

  @Test
  void theTrailSeesEveryCallWhileTheMetricsTakeASample() throws Exception {
    KeyService door = door(Observers.of(everything, sampling));
    KeyMetadata key = l4(door);
    Instant before = Instant.now();
    open(door, key.ref(), 100);
    fail(door, 5);
    Instant after = Instant.now();

    List<OperationEvent> all = opens(trail);
    assertThat(all).hasSize(105); // every call, sampling or not
    assertThat(all).allSatisfy(e -> assertThat(e.sampleWeight()).isEqualTo(1));
    assertThat(all).allSatisfy(e -> assertThat(e.durationNanos()).isPositive());
    assertThat(all.subList(0, 100))
        .allSatisfy(
            e -> {
              assertThat(e.succeeded()).isTrue();
              assertThat(e.keyId()).contains(key.id());
              assertThat(e.owner()).contains("service:billing");
              assertThat(e.backend()).contains("inmemory");
              assertThat(e.actor()).contains("bundle:org.example.caller");
              assertThat(e.time())
                  .isBetween(
                      before.minus(Duration.ofMillis(50)), after.plus(Duration.ofMillis(50)));
            });
    assertThat(all.subList(100, 105))
        .allSatisfy(e -> assertThat(e.outcome()).isEqualTo("KeyNotFound"));

    // the creates are not sampled: both observers saw each, weight 1
    assertThat(sampled.stream().filter(e -> e.operation().equals("key.create")))
        .hasSize(3)
        .allSatisfy(e -> assertThat(e.sampleWeight()).isEqualTo(1));
    // of the opens: the first call and then one in PERIOD (calls 1, 9, ..., 97 and 105), plus the
    // failures outside the sample, untimed
    List<OperationEvent> part = opens(sampled);
    List<OperationEvent> timed = part.stream().filter(e -> e.sampleWeight() > 0).toList();
    assertThat(timed).hasSize(14).allSatisfy(e -> assertThat(e.sampleWeight()).isEqualTo(PERIOD));
    assertThat(timed).allSatisfy(e -> assertThat(e.durationNanos()).isPositive());
    assertThat(part.stream().filter(e -> !e.succeeded())).hasSize(5);
    assertThat(part.stream().filter(e -> e.sampleWeight() == 0))
        .hasSize(4)
        .allSatisfy(
            e -> {
              assertThat(e.outcome()).isEqualTo("KeyNotFound");
              assertThat(e.durationNanos()).isZero();
            });
  }

  @Test
  void everyFailureReachesASamplingObserverAlone() throws Exception {
    KeyService door = door(Observers.of(sampling));
    KeyMetadata key = l4(door);
    open(door, key.ref(), 3 * PERIOD);
    fail(door, 50);

    List<OperationEvent> part = opens(sampled);
    List<OperationEvent> failures = part.stream().filter(e -> !e.succeeded()).toList();
    assertThat(failures).hasSize(50);
    assertThat(failures)
        .allSatisfy(
            e -> {
              assertThat(e.outcome()).isEqualTo("KeyNotFound");
              assertThat(e.keyId()).contains("l4-" + "0".repeat(32));
              assertThat(e.actor()).contains("bundle:org.example.caller");
            });
    // 24 successes then 50 failures on one thread: calls 1, 9, 17 (ok) and 25, 33, ..., 73 (failed)
    // are the timed sample; the other 43 failures come untimed
    assertThat(part.stream().filter(e -> e.sampleWeight() == PERIOD)).hasSize(10);
    assertThat(failures.stream().filter(e -> e.sampleWeight() == 0)).hasSize(43);
    assertThat(part.stream().filter(e -> e.succeeded())).hasSize(3);
  }

  @Test
  void theCountsAreExactOnEveryThreadWhoeverObserves() throws Exception {
    Observers observers = Observers.of(sampling);
    OperationCounts counts = new OperationCountsView(observers);
    KeyService door = door(observers);
    KeyMetadata key = l4(door);
    int threads = 4;
    int each = 5_000;
    List<Thread> workers = new ArrayList<>();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread w =
          new Thread(
              () -> {
                try {
                  open(door, key.ref(), each);
                  fail(door, 10);
                } catch (Throwable e) {
                  errors.add(e);
                }
              });
      workers.add(w);
      w.start();
    }
    for (Thread w : workers) {
      w.join(); // these threads end before the counts are read: their cells are folded in
    }
    assertThat(errors).isEmpty();
    open(door, key.ref(), 7); // and this live thread's

    assertThat(count(counts, "key.open"))
        .isEqualTo(new OperationCounts.Count("key.open", threads * each + 7, threads * 10, 0));
    assertThat(count(counts, "key.create").succeeded()).isEqualTo(3);
    assertThat(count(counts, "key.rotate").succeeded()).isZero(); // known, never called
    // each thread timed its first open and then one in PERIOD: exactly 1/PERIOD, weight PERIOD
    long timedOk =
        opens(sampled).stream().filter(e -> e.succeeded() && e.sampleWeight() == PERIOD).count();
    assertThat(timedOk).isEqualTo(threads * (each / PERIOD) + 1);
  }

  @Test
  void refusedCallsAreCountedAndNeverRun() throws Exception {
    OperationObserver refusing =
        new OperationObserver() {
          @Override
          public void admit(String operation) throws KeystoreException {
            throw new AuditUnavailableException(null, "no audit sink can write", null);
          }

          @Override
          public void completed(OperationEvent event) {
            trail.add(event);
          }
        };
    Observers observers = Observers.of(refusing, sampling);
    KeyService door = door(observers);
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> door.open(KeyRef.of("l4-" + "0".repeat(32), 1)))
          .isInstanceOf(AuditUnavailableException.class);
    }
    assertThat(count(new OperationCountsView(observers), "key.open"))
        .isEqualTo(new OperationCounts.Count("key.open", 0, 0, 3));
    assertThat(trail).isEmpty();
    assertThat(sampled).isEmpty();
  }

  @Test
  void withoutObserversNothingIsReportedAndEverythingCounted() throws Exception {
    Observers observers = Observers.of();
    KeyService door = door(observers);
    KeyMetadata key = l4(door);
    open(door, key.ref(), 10);
    fail(door, 2);
    assertThat(count(new OperationCountsView(observers), "key.open"))
        .isEqualTo(new OperationCounts.Count("key.open", 10, 2, 0));
  }

  private static OperationCounts.Count count(OperationCounts counts, String operation) {
    return counts.counts().stream()
        .filter(c -> c.operation().equals(operation))
        .findFirst()
        .orElseThrow();
  }
}
