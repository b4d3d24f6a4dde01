package org.openkcm.keystore.core.internal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openkcm.keystore.api.CreateKeyRequest;
import org.openkcm.keystore.core.internal.cache.CacheSettings;
import org.openkcm.keystore.core.internal.cache.KeyCache;
import org.openkcm.keystore.core.internal.crypto.LocalRootKeyProvider;
import org.openkcm.keystore.inmemory.internal.InMemoryKeystore;
import org.openkcm.keystore.model.IntegrityException;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.openbao.internal.TestKeystores;
import org.openkcm.keystore.openbao.testing.OpenBaoServer;
import org.openkcm.keystore.spi.Keystore;

/**
 * An attacker with write access to the OpenBao KV mount (the real {@code bao} CLI against a real
 * dev server) edits, rolls back and plants records; L2/L3 live in OpenBao, L4 in InMemory (out of
 * the attacker's reach), as the default routing has it. Each test checks what the caller sees on a
 * fresh core (nothing cached, as a second node) and what the backends still hold.
 */
class KeyIntegrityOpenBaoTest {
  private static final AtomicInteger PREFIXES = new AtomicInteger();
  private static OpenBaoServer bao;

  @TempDir Path dir;
  private String prefix;
  private Keystore openbao;
  private InMemoryKeystore edge;
  private LocalRootKeyProvider root;
  private TestDirectory directory;
  private CryptoKeyService core;

  @BeforeAll
  static void startBao() {
    bao = OpenBaoServer.startDev();
  }

  @AfterAll
  static void stopBao() {
    bao.close();
  }

  @BeforeEach
  void setUp() {
    prefix = "integrity" + PREFIXES.incrementAndGet();
    openbao = TestKeystores.openBao(bao, prefix);
    edge = new InMemoryKeystore("inmemory", 10_000);
    directory =
        new TestDirectory(edge, openbao)
            .route(KeyTier.L2, "openbao")
            .route(KeyTier.L3, "openbao")
            .route(KeyTier.L4, "inmemory");
    root = new LocalRootKeyProvider(dir.resolve("master.key"), n -> null);
    core = new CryptoKeyService(directory, root, new KeyCache(CacheSettings.defaults()));
    core.writeTimeTolerance(TOLERANCE);
  }

  @AfterEach
  void tearDown() {
    core.close();
    root.close();
    edge.close();
    TestKeystores.close(openbao);
  }

  /**
   * @return a core over the same backends with nothing cached: what another node sees
   */
  private CryptoKeyService freshNode() {
    core.close();
    core = new CryptoKeyService(directory, root, new KeyCache(CacheSettings.defaults()));
    core.writeTimeTolerance(TOLERANCE);
    return core;
  }

  /**
   * Small enough for a test to get past it, large enough for a loaded machine's write latency
   * between the core's stamp and OpenBao's created_time.
   */
  private static final Duration TOLERANCE = Duration.ofSeconds(2);

  private static final Pattern STATE_TAG =
      Pattern.compile("\"openkcm\\.state\":\\s*\"(\\d+)\\.(\\d+)\\.");

  /**
   * Delete-and-replant, as an attacker with KV write access would: {@code bao kv metadata delete}
   * (every version and the tombstone gone, the KV version counter back to 0), then {@code bao kv
   * put} of the saved copy until the KV version is the revision the copy's state tag names, so
   * revision and MAC match. First waits (on the clock, no fixed sleep) until the tolerance has
   * passed since the copy was saved.
   */
  private void replant(KeyRef ref, String copy, Instant savedAt) throws Exception {
    Matcher m = STATE_TAG.matcher(copy);
    assertThat(m.find()).as("the saved copy carries a state tag").isTrue();
    int revision = Integer.parseInt(m.group(2));
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> Instant.now().isAfter(savedAt.plus(TOLERANCE).plusMillis(200)));
    bao.cliOk("kv", "metadata", "delete", "-mount=secret", path(ref));
    Path f = Files.writeString(dir.resolve("replant-" + System.nanoTime() + ".json"), copy);
    for (int i = 0; i < revision; i++) {
      bao.cliOk("kv", "put", "-mount=secret", path(ref), "@" + f);
    }
    assertThat(currentVersion(ref)).isEqualTo(revision);
  }

  private String path(KeyRef ref) {
    return prefix + "/keys/" + ref.id() + "," + String.format("%010d", ref.version());
  }

  private int currentVersion(KeyRef ref) {
    Matcher m =
        Pattern.compile("\"current_version\":\\s*(\\d+)")
            .matcher(
                bao.cliOk("kv", "metadata", "get", "-format=json", "-mount=secret", path(ref)));
    assertThat(m.find()).isTrue();
    return Integer.parseInt(m.group(1));
  }

  /**
   * {@code bao kv patch} (a JSON merge patch of the record's data), as an attacker with KV write
   * would.
   */
  private void patch(KeyRef ref, String json) throws Exception {
    Path f = Files.writeString(dir.resolve("patch-" + System.nanoTime() + ".json"), json);
    bao.cliOk("kv", "patch", "-mount=secret", "-cas=" + currentVersion(ref), path(ref), "@" + f);
  }

  /**
   * @return the record's KV data object as JSON, as {@code bao kv get -format=json} shows it (an
   *     attacker's saved copy)
   */
  private String savedCopy(KeyRef ref) {
    String json = bao.cliOk("kv", "get", "-format=json", "-mount=secret", path(ref));
    int outer = json.indexOf('{', json.indexOf("\"data\""));
    int inner = json.indexOf('{', json.indexOf("\"data\"", outer));
    int depth = 0;
    for (int i = inner; i < json.length(); i++) {
      char c = json.charAt(i);
      depth += c == '{' ? 1 : c == '}' ? -1 : 0;
      if (depth == 0) {
        return json.substring(inner, i + 1);
      }
    }
    throw new IllegalStateException("no data object in " + json);
  }

  private void putBack(KeyRef ref, String data) throws Exception {
    Path f = Files.writeString(dir.resolve("copy-" + System.nanoTime() + ".json"), data);
    bao.cliOk("kv", "put", "-mount=secret", "-cas=" + currentVersion(ref), path(ref), "@" + f);
  }

  private KeyMetadata l2() throws KeystoreException {
    return core.create(CreateKeyRequest.builder(KeyTier.L2, Owner.tenant("acme")).build());
  }

  private KeyMetadata child(KeyTier tier, String parent) throws KeystoreException {
    return core.create(
        CreateKeyRequest.builder(tier, Owner.service("svc")).parentId(parent).build());
  }

  @Test
  void aRevocationUndoneByKvRollbackIsDetectedAndTheKeyNeverEncryptsAgain() throws Exception {
    KeyMetadata l2 = l2();
    KeyMetadata l3 = child(KeyTier.L3, l2.id());
    core.changeStatus(l3.ref(), KeyStatus.COMPROMISED);
    bao.cliOk("kv", "rollback", "-mount=secret", "-version=1", path(l3.ref()));
    assertThat(bao.cliOk("kv", "get", "-mount=secret", "-field=status", path(l3.ref())).trim())
        .isEqualTo("ACTIVE");

    CryptoKeyService s = freshNode();
    byte[] data = "x".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> s.encrypt(l3.id(), data, null))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining("rolled back");
    assertThatThrownBy(() -> child(KeyTier.L4, l3.id())).isInstanceOf(IntegrityException.class);
    assertThat(edge.size()).isZero(); // no child was stored
    assertThatThrownBy(() -> s.metadata(l3.ref())).isInstanceOf(IntegrityException.class);
  }

  @Test
  void aRolledBackOldVersionAfterRotationIsRefusedAndOnlyTheNewVersionEncrypts() throws Exception {
    KeyMetadata l2 = l2();
    KeyMetadata l3 = child(KeyTier.L3, l2.id());
    KeyMetadata v2 = core.rotate(l3.id());
    bao.cliOk(
        "kv", "rollback", "-mount=secret", "-version=1", path(l3.ref())); // v1 says ACTIVE again

    CryptoKeyService s = freshNode();
    assertThatThrownBy(() -> s.open(l3.ref())).isInstanceOf(IntegrityException.class);
    byte[] ct = s.encrypt(l3.id(), "y".getBytes(StandardCharsets.UTF_8), null);
    assertThat(org.openkcm.keystore.core.internal.crypto.DataCipher.keyVersion(ct))
        .isEqualTo(v2.version());
    KeyMetadata l4 = child(KeyTier.L4, l3.id());
    assertThat(l4.parent()).contains(v2.ref());
  }

  @Test
  void aPlantedDestroyIntentIsNotObeyedByTheReconciler() throws Exception {
    KeyMetadata l2 = l2();
    KeyMetadata l3 = child(KeyTier.L3, l2.id());
    KeyMetadata l4 = child(KeyTier.L4, l3.id());
    patch(l2.ref(), "{\"tags\":{\"openkcm.saga\":\"destroy\"}}");

    CryptoKeyService s = freshNode();
    s.reconcile(Duration.ZERO, false);
    assertThat(edge.retrieve(l4.ref()))
        .isNotNull(); // the L4 in InMemory, out of the attacker's reach, survives
    assertThat(openbao.retrieve(l3.ref())).isNotNull();
    assertThat(openbao.retrieve(l2.ref()).metadata().tags())
        .containsEntry("openkcm.saga", "destroy");
    // the edited record is refused (and so is what it wraps: an edit can deny service, never change
    // state)
    assertThatThrownBy(() -> s.open(l2.ref())).isInstanceOf(IntegrityException.class);
    assertThatThrownBy(() -> s.open(l4.ref()))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining(l2.ref().toString());
    // shown as corrupt in a listing, and still destroyable by an operator
    KeyMetadata listed =
        s.list(org.openkcm.keystore.model.KeyFilter.builder().keyId(l2.id()).build())
            .items()
            .get(0);
    assertThat(listed.tags()).containsEntry("openkcm.integrity", "failed");
    s.destroy(l2.id(), true);
    assertThat(edge.retrieve(l4.ref()).metadata().status()).isEqualTo(KeyStatus.DESTROYED);
    assertThat(
            org.openkcm.keystore.core.internal.crypto.EnvelopeSealer.isTombstone(
                edge.retrieve(l4.ref()).sealed()))
        .isTrue();
    for (KeyRef r : new KeyRef[] {l2.ref(), l3.ref()}) {
      assertThat(bao.cliOk("kv", "get", "-mount=secret", "-field=status", path(r)).trim())
          .isEqualTo("DESTROYED");
    }
  }

  @Test
  void aPlantedPendingStatusOnAVersionOneWithChildrenIsNotRolledBack() throws Exception {
    KeyMetadata l2 = l2();
    KeyMetadata l3 = child(KeyTier.L3, l2.id());
    KeyMetadata l4 = child(KeyTier.L4, l3.id());
    patch(l3.ref(), "{\"status\":\"PENDING\",\"updated_at\":\"2001-01-01T00:00:00Z\"}");

    CryptoKeyService s = freshNode();
    s.reconcile(Duration.ZERO, false);
    assertThat(openbao.retrieve(l3.ref())).isNotNull();
    assertThat(edge.retrieve(l4.ref())).isNotNull();
  }

  @Test
  void aPendingVersionTwoThatWrapsLiveChildrenIsNotRolledBack() throws Exception {
    KeyMetadata l2 = l2();
    KeyMetadata l3 = child(KeyTier.L3, l2.id());
    KeyMetadata v2 = core.rotate(l3.id());
    KeyMetadata l4 = child(KeyTier.L4, l3.id()); // wrapped by v2
    patch(v2.ref(), "{\"status\":\"PENDING\",\"tags\":{\"openkcm.saga\":\"rotate-from:1\"}}");
    patch(
        l3.ref(), "{\"status\":\"ACTIVE\"}"); // so that the rule would say "roll the rotation back"

    freshNode().reconcile(Duration.ZERO, false);
    assertThat(openbao.retrieve(v2.ref())).isNotNull();
    assertThat(edge.retrieve(l4.ref()).metadata().parent()).contains(v2.ref());
  }

  @Test
  void deletingATierIndexPointerDoesNotLetANonCascadeDestroyOrphanChildren() throws Exception {
    KeyMetadata l2 = l2();
    KeyMetadata l3 = child(KeyTier.L3, l2.id());
    KeyMetadata l4 = child(KeyTier.L4, l3.id());
    bao.cliOk(
        "kv",
        "metadata",
        "delete",
        "-mount=secret",
        prefix + "/ix/tier/L3/" + l3.id() + ",0000000001");

    CryptoKeyService s = freshNode();
    assertThatThrownBy(() -> s.destroy(l2.id(), false))
        .isInstanceOf(InvalidKeyRequestException.class)
        .hasMessageContaining("cascade");
    assertThat(openbao.retrieve(l2.ref())).isNotNull();
    assertThat(edge.retrieve(l4.ref())).isNotNull();
  }

  @Test
  void aChildIsNotCreatedUnderAParentTheBackendLost() throws Exception {
    KeyMetadata l2 = l2();
    child(KeyTier.L3, l2.id()); // l2 is cached (material and active version) on this node
    bao.cliOk("kv", "metadata", "delete", "-mount=secret", path(l2.ref())); // the backend lost it

    assertThatThrownBy(() -> child(KeyTier.L3, l2.id()))
        .isInstanceOf(InvalidKeyRequestException.class)
        .hasMessageContaining("parent");
    assertThat(
            bao.cli("kv", "list", "-mount=secret", prefix + "/ix/tier/L3")
                .stdout()
                .lines()
                .filter(l -> l.startsWith("l3-"))
                .count())
        .isEqualTo(1);
  }

  @Test
  void anExpiredKeyDecryptsButNoLongerEncryptsOrWrapsChildren() throws Exception {
    KeyMetadata l2 = l2();
    KeyMetadata l3 = child(KeyTier.L3, l2.id());
    byte[] ct = core.encrypt(l3.id(), "z".getBytes(StandardCharsets.UTF_8), null);
    core.updateMetadata(l3.ref(), java.util.Map.of(), Instant.parse("2000-01-01T00:00:00Z"));

    CryptoKeyService s = freshNode();
    assertThatThrownBy(() -> s.encrypt(l3.id(), new byte[1], null))
        .isInstanceOf(InvalidKeyRequestException.class)
        .hasMessageContaining("expired");
    assertThat(new String(s.decrypt(l3.id(), ct, null), StandardCharsets.UTF_8)).isEqualTo("z");
    assertThatThrownBy(() -> child(KeyTier.L4, l3.id()))
        .isInstanceOf(InvalidKeyRequestException.class)
        .hasMessageContaining("expired");
    KeyMetadata born =
        s.create(
            CreateKeyRequest.builder(KeyTier.L3, Owner.service("svc"))
                .parentId(l2.id())
                .expiresAt(Instant.parse("2000-01-01T00:00:00Z"))
                .build());
    assertThatThrownBy(() -> s.encrypt(born.id(), new byte[1], null))
        .isInstanceOf(InvalidKeyRequestException.class);
    assertThat(edge.size()).isZero();
  }

  @Test
  void aDestroyedKeysSavedRecordPutBackDoesNotOpenAndItsIdIsNotReused() throws Exception {
    KeyMetadata l2 = l2();
    KeyMetadata l3 = child(KeyTier.L3, l2.id());
    String copy = savedCopy(l3.ref());
    core.destroy(l3.id(), false);
    assertThat(bao.cliOk("kv", "get", "-mount=secret", "-field=status", path(l3.ref())).trim())
        .isEqualTo("DESTROYED");
    putBack(
        l3.ref(),
        copy); // the attacker restores the record saved before the destroy, on top of the tombstone
    assertThat(bao.cliOk("kv", "get", "-mount=secret", "-field=status", path(l3.ref())).trim())
        .isEqualTo("ACTIVE");

    CryptoKeyService s = freshNode();
    assertThatThrownBy(() -> s.open(l3.ref()))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining("rolled back");
    assertThatThrownBy(() -> s.encrypt(l3.id(), new byte[1], null))
        .isInstanceOf(IntegrityException.class);
    assertThatThrownBy(() -> child(KeyTier.L4, l3.id())).isInstanceOf(IntegrityException.class);
    assertThatThrownBy(
            () ->
                s.create(
                    CreateKeyRequest.builder(KeyTier.L3, Owner.service("svc"))
                        .parentId(l2.id())
                        .keyId(l3.id())
                        .build()))
        .isInstanceOf(org.openkcm.keystore.model.KeyAlreadyExistsException.class);
    assertThat(edge.size()).isZero();
  }

  @Test
  void aLostMasterKeyIsNeverReplacedWhileABackendHoldsKeys() throws Exception {
    KeyMetadata l2 = l2();
    String kid = root.keyIdHex();
    Path file = dir.resolve("master.key");
    Files.delete(file);
    Files.delete(dir.resolve("master.key.id")); // e.g. `mvn clean` removed the whole directory
    core.close();
    root.close();
    root =
        new LocalRootKeyProvider(
            file, n -> null, false); // the OSGi component: never creates at activation
    core = new CryptoKeyService(directory, root, new KeyCache(CacheSettings.defaults()));
    assertThatThrownBy(this::l2)
        .isInstanceOf(org.openkcm.keystore.model.BackendUnavailableException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("expected master key id " + kid)
        .hasMessageContaining("never created");
    assertThatThrownBy(() -> core.open(l2.ref()))
        .isInstanceOf(org.openkcm.keystore.model.BackendUnavailableException.class)
        .hasMessageContaining(file.toString());
    assertThat(file).doesNotExist();
  }

  @Test
  void aRecordedMasterKeyIdIsNeverReplacedAndAWrongKeyFileIsRefusedByName() throws Exception {
    String kid = root.keyIdHex();
    Path file = dir.resolve("master.key");
    assertThat(Files.readString(dir.resolve("master.key.id")).trim()).isEqualTo(kid);
    Files.delete(file); // the id stays recorded; the backends are still empty
    core.close();
    root.close();
    root = new LocalRootKeyProvider(file, n -> null, false);
    core = new CryptoKeyService(directory, root, new KeyCache(CacheSettings.defaults()));
    assertThatThrownBy(this::l2)
        .isInstanceOf(org.openkcm.keystore.model.BackendUnavailableException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining(kid);
    assertThat(file).doesNotExist();
    // another key in the file: refused, naming both ids
    Files.write(file, org.openkcm.keystore.core.internal.crypto.ThreadCrypto.randomBytes(32));
    Files.setPosixFilePermissions(
        file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    root.close();
    core.close();
    root = new LocalRootKeyProvider(file, n -> null, false);
    core = new CryptoKeyService(directory, root, new KeyCache(CacheSettings.defaults()));
    assertThatThrownBy(this::l2)
        .isInstanceOf(org.openkcm.keystore.model.BackendUnavailableException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("was recorded")
        .hasMessageContaining(kid);
    assertThat(bao.cli("kv", "list", "-mount=secret", prefix + "/keys").exitCode())
        .isNotZero(); // nothing stored
  }

  @Test
  void aMissingMasterKeyIsCreatedOnlyWhileEveryBackendIsEmptyAndTheDefaultSurvivesABuildClean()
      throws Exception {
    Path file = dir.resolve("fresh/master.key");
    core.close();
    root.close();
    root = new LocalRootKeyProvider(file, n -> null, false);
    assertThat(file).doesNotExist();
    core = new CryptoKeyService(directory, root, new KeyCache(CacheSettings.defaults()));
    KeyMetadata l2 = l2();
    assertThat(file).exists();
    assertThat(Files.readString(dir.resolve("fresh/master.key.id")).trim())
        .isEqualTo(root.keyIdHex());
    assertThat(core.metadata(l2.ref()).status()).isEqualTo(KeyStatus.ACTIVE);
    String def = org.openkcm.keystore.core.internal.crypto.RootKeyConfig.DEFAULT_MASTER_KEY_FILE;
    assertThat(def).startsWith("~/").doesNotContain("target");
  }

  @Test
  void aRecordPlantedAtTheNextVersionDoesNotBlockRotation() throws Exception {
    KeyMetadata l2 = l2();
    KeyMetadata l3 = child(KeyTier.L3, l2.id());
    bao.cliOk(
        "kv", "put", "-mount=secret", path(KeyRef.of(l3.id(), 2)), "status=ACTIVE", "sealed=AAAA");

    KeyMetadata next = freshNode().rotate(l3.id());
    assertThat(next.version()).isEqualTo(3);
    assertThat(core.openActive(l3.id()).metadata().version()).isEqualTo(3);
    assertThat(core.metadata(l3.ref()).status()).isEqualTo(KeyStatus.DEPRECATED);
    assertThatThrownBy(() -> core.open(KeyRef.of(l3.id(), 2)))
        .isInstanceOf(IntegrityException.class);
  }

  @Test
  void aRecordWithAnEditedIdentityIsReportedCorruptAndCanStillBeDestroyed() throws Exception {
    KeyMetadata l2 = l2();
    KeyMetadata l3 = child(KeyTier.L3, l2.id());
    patch(l3.ref(), "{\"key_id\":\"someone-else\"}");

    CryptoKeyService s = freshNode();
    assertThatThrownBy(() -> s.metadata(l3.ref())).isInstanceOf(IntegrityException.class);
    s.destroy(l3.id(), false);
    assertThat(bao.cli("kv", "get", "-mount=secret", path(l3.ref())).exitCode()).isNotZero();
    assertThat(openbao.retrieve(l2.ref())).isNotNull();
  }

  @Test
  void aWriteThatNeverReachedTheBackendIsNotReportedAsOfUnknownOutcome() throws Exception {
    OpenBaoServer gone = OpenBaoServer.startDev();
    Keystore dead = TestKeystores.openBao(gone, "dead");
    gone.close(); // nothing listens there any more: every request is refused
    try {
      CryptoKeyService s =
          new CryptoKeyService(
              new TestDirectory(dead), root, new KeyCache(CacheSettings.defaults()));
      // a generated id: the create goes straight to the store (a chosen id would be looked up
      // first)
      assertThatThrownBy(
              () -> s.create(CreateKeyRequest.builder(KeyTier.L2, Owner.tenant("acme")).build()))
          .isInstanceOf(org.openkcm.keystore.model.BackendUnavailableException.class)
          .hasMessageContaining("connection refused")
          .hasMessageNotContaining("unknown");
      s.close();
    } finally {
      TestKeystores.close(dead);
    }
  }

  @Test
  void anEditedExpiryIsRefused() throws Exception {
    KeyMetadata l2 = l2();
    KeyMetadata l3 = child(KeyTier.L3, l2.id());
    core.updateMetadata(l3.ref(), java.util.Map.of(), Instant.parse("2000-01-01T00:00:00Z"));
    patch(l3.ref(), "{\"expires_at\":\"2999-01-01T00:00:00Z\"}");
    CryptoKeyService s = freshNode();
    assertThatThrownBy(() -> s.encrypt(l3.id(), new byte[1], null))
        .isInstanceOf(IntegrityException.class);
  }

  @Test
  void aDestroyedL2ReplantedAfterDeletingItsKvMetadataNeverOpensAgain() throws Exception {
    KeyMetadata other = l2(); // untouched, older than the tolerance by the end: still opens
    KeyMetadata l2 = l2();
    KeyMetadata l3 = child(KeyTier.L3, l2.id());
    String copy = savedCopy(l2.ref());
    Instant saved = Instant.now();
    core.destroy(l2.id(), true);
    replant(l2.ref(), copy, saved);
    assertThat(bao.cliOk("kv", "get", "-mount=secret", "-field=status", path(l2.ref())).trim())
        .isEqualTo("ACTIVE");

    CryptoKeyService s = freshNode();
    assertThatThrownBy(() -> s.open(l2.ref()))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining("written again");
    assertThatThrownBy(() -> s.metadata(l2.ref())).isInstanceOf(IntegrityException.class);
    assertThatThrownBy(() -> child(KeyTier.L3, l2.id())).isInstanceOf(IntegrityException.class);
    assertThatThrownBy(() -> s.open(l3.ref())).isInstanceOf(InvalidKeyRequestException.class);
    assertThat(s.open(other.ref()).metadata().status()).isEqualTo(KeyStatus.ACTIVE);
    // the operator can still destroy it: the backend holds a tombstone again
    s.destroy(l2.id(), true);
    assertThat(bao.cliOk("kv", "get", "-mount=secret", "-field=status", path(l2.ref())).trim())
        .isEqualTo("DESTROYED");
  }

  @Test
  void aDestroyedL3ReplantedAfterDeletingItsKvMetadataNeverOpensAgain() throws Exception {
    KeyMetadata l2 = l2();
    KeyMetadata l3 = child(KeyTier.L3, l2.id());
    byte[] ct = core.encrypt(l3.id(), "secret".getBytes(StandardCharsets.UTF_8), null);
    String copy = savedCopy(l3.ref());
    Instant saved = Instant.now();
    core.destroy(l3.id(), false);
    replant(l3.ref(), copy, saved);

    CryptoKeyService s = freshNode();
    assertThatThrownBy(() -> s.open(l3.ref()))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining("written again");
    assertThatThrownBy(() -> s.decrypt(l3.id(), ct, null)).isInstanceOf(IntegrityException.class);
    assertThatThrownBy(() -> s.encrypt(l3.id(), new byte[1], null))
        .isInstanceOf(IntegrityException.class);
    assertThatThrownBy(() -> child(KeyTier.L4, l3.id())).isInstanceOf(IntegrityException.class);
    assertThat(edge.size()).isZero();
    assertThat(s.open(l2.ref()).metadata().status()).isEqualTo(KeyStatus.ACTIVE);
  }

  @Test
  void aDestroyedL4OnOpenBaoReplantedAfterDeletingItsKvMetadataNeverOpensAgain() throws Exception {
    directory.route(KeyTier.L4, "openbao");
    KeyMetadata l2 = l2();
    KeyMetadata l3 = child(KeyTier.L3, l2.id());
    KeyMetadata l4 = child(KeyTier.L4, l3.id());
    KeyMetadata sibling = child(KeyTier.L4, l3.id());
    byte[] ct = core.encrypt(l4.id(), "secret".getBytes(StandardCharsets.UTF_8), null);
    String copy = savedCopy(l4.ref());
    Instant saved = Instant.now();
    core.destroy(l4.id(), false);
    replant(l4.ref(), copy, saved);

    CryptoKeyService s = freshNode();
    assertThatThrownBy(() -> s.open(l4.ref()))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining("written again");
    assertThatThrownBy(() -> s.decrypt(l4.id(), ct, null)).isInstanceOf(IntegrityException.class);
    assertThat(s.open(sibling.ref()).metadata().status()).isEqualTo(KeyStatus.ACTIVE);
    assertThat(edge.size()).isZero();
  }

  @Test
  void anActiveCopyReplantedAfterARevocationIsRefusedAndNeverEncrypts() throws Exception {
    KeyMetadata l2 = l2();
    KeyMetadata l3 = child(KeyTier.L3, l2.id());
    String active = savedCopy(l3.ref()); // revision 1, ACTIVE
    Instant saved = Instant.now();
    core.changeStatus(l3.ref(), KeyStatus.COMPROMISED);
    replant(l3.ref(), active, saved);
    assertThat(bao.cliOk("kv", "get", "-mount=secret", "-field=status", path(l3.ref())).trim())
        .isEqualTo("ACTIVE");

    CryptoKeyService s = freshNode();
    assertThatThrownBy(() -> s.encrypt(l3.id(), new byte[1], null))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining("written again");
    assertThatThrownBy(() -> child(KeyTier.L4, l3.id())).isInstanceOf(IntegrityException.class);
    assertThat(edge.size()).isZero();
    // shown corrupt where it is read, and still destroyable by an operator
    assertThatThrownBy(() -> s.metadata(l3.ref())).isInstanceOf(IntegrityException.class);
    s.destroy(l3.id(), false);
    assertThat(bao.cliOk("kv", "get", "-mount=secret", "-field=status", path(l3.ref())).trim())
        .isEqualTo("DESTROYED");
  }

  @Test
  void aKeyMigratedToOpenBaoLongAfterItWasWrittenOpensThereAndAForgedSourceIsNotCopied()
      throws Exception {
    directory.route(KeyTier.L3, "inmemory");
    KeyMetadata l2 = l2();
    KeyMetadata l3 = child(KeyTier.L3, l2.id());
    Instant written = Instant.now();
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> Instant.now().isAfter(written.plus(TOLERANCE).plusMillis(200)));
    org.openkcm.keystore.api.MigrationReport r =
        new org.openkcm.keystore.core.internal.backend.KeyMigrator(
                "openbao", openbao, core.migrationStamps())
            .migrate(
                java.util.List.of(
                    new org.openkcm.keystore.core.internal.backend.KeyMigrator.Source(
                        "inmemory", edge)),
                org.openkcm.keystore.model.KeyFilter.all());
    assertThat(r.failed()).isZero();
    assertThat(edge.size()).isZero();
    CryptoKeyService s = freshNode();
    assertThat(s.open(l3.ref()).metadata().status()).isEqualTo(KeyStatus.ACTIVE);

    // a record whose state an attacker edited at the source is not laundered by a migration
    KeyMetadata forged = child(KeyTier.L3, l2.id());
    KeyMetadata compromised = s.changeStatus(forged.ref(), KeyStatus.COMPROMISED);
    org.openkcm.keystore.spi.KeyRecord held = edge.retrieve(forged.ref());
    java.util.Map<String, String> tags = new java.util.TreeMap<>(held.metadata().tags());
    edge.delete(forged.ref());
    edge.store(
        held.metadata().toBuilder().status(KeyStatus.ACTIVE).tags(tags).build(), held.sealed());
    org.openkcm.keystore.api.MigrationReport second =
        new org.openkcm.keystore.core.internal.backend.KeyMigrator(
                "openbao", openbao, s.migrationStamps())
            .migrate(
                java.util.List.of(
                    new org.openkcm.keystore.core.internal.backend.KeyMigrator.Source(
                        "inmemory", edge)),
                org.openkcm.keystore.model.KeyFilter.all());
    assertThat(second.failed()).isEqualTo(1);
    assertThat(bao.cli("kv", "get", "-mount=secret", path(forged.ref())).exitCode()).isNotZero();
    assertThat(compromised.status()).isEqualTo(KeyStatus.COMPROMISED);
  }
}
