package org.openkcm.keystore.core.internal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openkcm.keystore.api.CreateKeyRequest;
import org.openkcm.keystore.api.KeyHandle;
import org.openkcm.keystore.api.KeyService;
import org.openkcm.keystore.audit.Actor;
import org.openkcm.keystore.audit.AuditUnavailableException;
import org.openkcm.keystore.audit.OperationEvent;
import org.openkcm.keystore.audit.OperationObserver;
import org.openkcm.keystore.core.internal.cache.CacheSettings;
import org.openkcm.keystore.core.internal.cache.KeyCache;
import org.openkcm.keystore.core.internal.crypto.LocalRootKeyProvider;
import org.openkcm.keystore.core.internal.observe.ObservedKeyService;
import org.openkcm.keystore.core.internal.observe.Observers;
import org.openkcm.keystore.core.internal.routing.RoutingTable;
import org.openkcm.keystore.inmemory.internal.InMemoryKeystore;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyNotFoundException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Owner;

/**
 * The KeyService door: every call is reported once with actor, bundle, operation, key, tier, owner,
 * backend, outcome and duration; a refusing observer stops the operation before the backend sees
 * it; an opened key the observers did not acknowledge is closed.
 */
class ObservedDoorsTest {
  @TempDir Path dir;
  private final InMemoryKeystore memory = new InMemoryKeystore("inmemory", 1000);
  private final List<OperationEvent> events = new CopyOnWriteArrayList<>();
  private LocalRootKeyProvider root;
  private CryptoKeyService core;
  private volatile KeystoreException refuseAdmit;
  private volatile KeystoreException refuseAck;
  private KeyService door;

  @BeforeEach
  void setUp() throws Exception {
    root = new LocalRootKeyProvider(dir.resolve("master.key"), n -> null);
    core =
        new CryptoKeyService(
            new TestDirectory(memory), root, new KeyCache(CacheSettings.defaults()));
    OperationObserver observer =
        new OperationObserver() {
          @Override
          public void admit(String operation) throws KeystoreException {
            if (refuseAdmit != null) {
              throw refuseAdmit;
            }
          }

          @Override
          public void completed(OperationEvent event) throws KeystoreException {
            events.add(event);
            if (refuseAck != null) {
              throw refuseAck;
            }
          }
        };
    RoutingTable table = RoutingTable.parse(new String[0], "inmemory", new String[0]);
    door = new ObservedKeyService(core, Observers.of(observer), () -> table, "org.example.caller");
  }

  @AfterEach
  void tearDown() {
    core.close();
    root.close();
  }

  private KeyMetadata tenantKey() throws KeystoreException {
    return door.create(CreateKeyRequest.builder(KeyTier.L2, Owner.tenant("acme")).build());
  }

  @Test
  void everyCallIsReportedWithWhoWhatAndHowItEnded() throws Exception {
    KeyMetadata l2;
    try (Actor.Scope s = Actor.enter("grpc:CN=billing")) {
      l2 = tenantKey();
    }
    try (KeyHandle h = door.open(l2.ref())) {
      assertThat(h.metadata().ref()).isEqualTo(l2.ref());
    }
    assertThatThrownBy(() -> door.open(KeyRef.of("l2-" + "0".repeat(32), 1)))
        .isInstanceOf(KeyNotFoundException.class);
    door.list(KeyFilter.all());

    assertThat(events)
        .extracting(OperationEvent::operation)
        .containsExactly("key.create", "key.open", "key.open", "key.list");
    OperationEvent create = events.get(0);
    assertThat(create.actor()).contains("grpc:CN=billing");
    assertThat(create.bundle()).contains("org.example.caller");
    assertThat(create.keyId()).contains(l2.id());
    assertThat(create.version()).isEqualTo(1);
    assertThat(create.tier()).contains("L2");
    assertThat(create.owner()).contains("tenant:acme");
    assertThat(create.backend()).contains("inmemory");
    assertThat(create.outcome()).isEqualTo(OperationEvent.OK);
    assertThat(create.durationNanos()).isPositive();
    assertThat(events.get(1).actor()).contains("bundle:org.example.caller"); // no door named one
    assertThat(events.get(2).outcome()).isEqualTo("KeyNotFound");
    assertThat(events.get(2).keyId()).contains("l2-" + "0".repeat(32));
  }

  @Test
  void aRefusedOperationNeverReachesTheBackend() throws Exception {
    refuseAdmit = new AuditUnavailableException(null, "no audit sink can write", null);
    assertThatThrownBy(this::tenantKey).isInstanceOf(AuditUnavailableException.class);
    assertThat(memory.list(KeyFilter.all()).items()).isEmpty();
    assertThat(events).isEmpty();
  }

  @Test
  void anUnacknowledgedOpenClosesTheKey() throws Exception {
    KeyMetadata l2 = tenantKey();
    refuseAck = new AuditUnavailableException(null, "entry not durable", null);
    assertThatThrownBy(() -> door.open(l2.ref())).isInstanceOf(AuditUnavailableException.class);
    assertThatThrownBy(() -> door.encrypt(l2.id(), "x".getBytes(StandardCharsets.UTF_8), null))
        .isInstanceOf(AuditUnavailableException.class);
    assertThat(events.get(events.size() - 1).operation()).isEqualTo("key.encrypt");
  }
}
