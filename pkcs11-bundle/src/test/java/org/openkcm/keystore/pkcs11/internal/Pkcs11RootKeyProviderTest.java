package org.openkcm.keystore.pkcs11.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.api.CreateKeyRequest;
import org.openkcm.keystore.api.KeyHandle;
import org.openkcm.keystore.core.internal.crypto.LocalRootKeyProvider;
import org.openkcm.keystore.core.internal.keys.CryptoKeyService;
import org.openkcm.keystore.inmemory.internal.InMemoryKeystore;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.IntegrityException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.model.PermissionDeniedException;
import org.openkcm.keystore.pkcs11.testing.SoftHsm;
import org.openkcm.keystore.spi.BackendState;

/** The PKCS#11 root key against a real SoftHSM2 token, under the real core and InMemory backend. */
class Pkcs11RootKeyProviderTest {
  private final Pkcs11Fixture fx = new Pkcs11Fixture();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  private Pkcs11RootKeyProvider provider(SoftHsm hsm, String label, boolean create) {
    Pkcs11RootKeyProvider p = fx.provider(hsm, label, create);
    toClose.add(p::close);
    return p;
  }

  private static byte[] material(CryptoKeyService core, KeyMetadata m) throws KeystoreException {
    try (KeyHandle h = core.open(m.ref())) {
      return h.copyMaterial();
    }
  }

  private static KeyMetadata[] chain(CryptoKeyService core, String tenant)
      throws KeystoreException {
    KeyMetadata l2 =
        core.create(CreateKeyRequest.builder(KeyTier.L2, Owner.tenant(tenant)).build());
    KeyMetadata l3 =
        core.create(
            CreateKeyRequest.builder(KeyTier.L3, Owner.service(tenant + "-svc"))
                .parentId(l2.id())
                .build());
    KeyMetadata l4 =
        core.create(
            CreateKeyRequest.builder(KeyTier.L4, Owner.service(tenant + "-svc"))
                .parentId(l3.id())
                .build());
    return new KeyMetadata[] {l2, l3, l4};
  }

  @Test
  void everyTierIsCreatedAndOpenedThroughTheTokenKey() throws Exception {
    SoftHsm hsm = SoftHsm.create("ks-tiers");
    Pkcs11RootKeyProvider root = provider(hsm, "openkcm-root", true);
    InMemoryKeystore store = Pkcs11Fixture.memory();
    CryptoKeyService writer = Pkcs11Fixture.core(store, root);
    KeyMetadata[] keys = chain(writer, "acme");
    List<byte[]> materials = new ArrayList<>();
    for (KeyMetadata k : keys) {
      materials.add(material(writer, k));
    }
    byte[] ciphertext =
        writer.encrypt(keys[2].id(), "hello".getBytes(StandardCharsets.UTF_8), new byte[0]);

    // the L2 record's DEK is wrapped by the token key, and names it
    byte[] wrap = Pkcs11Fixture.rootWrap(store.retrieve(keys[0].ref()).sealed());
    assertThat(WrappedDek.labelOf(wrap)).isEqualTo("openkcm-root");

    // a fresh core (empty caches) opens every tier through the token
    CryptoKeyService reader = Pkcs11Fixture.core(store, root);
    for (int i = 0; i < keys.length; i++) {
      assertThat(material(reader, keys[i])).isEqualTo(materials.get(i));
    }
    assertThat(
            new String(
                reader.decrypt(keys[2].id(), ciphertext, new byte[0]), StandardCharsets.UTF_8))
        .isEqualTo("hello");
    writer.close();
    reader.close();
  }

  @Test
  void theTokenKeyIsSensitiveAndCannotBeExtracted() throws Exception {
    SoftHsm hsm = SoftHsm.create("ks-extract");
    Pkcs11RootKeyProvider root = provider(hsm, "openkcm-root", true);
    SecretKey handle = root.keyHandle("openkcm-root");
    assertThat(handle.getEncoded()).isNull();
    assertThat(root.nonExtractable("openkcm-root")).isTrue();
    // asking the token for the key's bytes fails
    TokenSession s = tokenSession(root);
    assertThatThrownBy(
            () -> {
              SecretKeyFactory f = SecretKeyFactory.getInstance("AES", providerOf(s));
              f.getKeySpec(handle, SecretKeySpec.class);
            })
        .isInstanceOf(java.security.spec.InvalidKeySpecException.class);
    // wrapping it out under another key fails too: CKA_EXTRACTABLE=false
    assertThatThrownBy(
            () -> {
              javax.crypto.KeyGenerator g =
                  javax.crypto.KeyGenerator.getInstance("AES", providerOf(s));
              g.init(256);
              SecretKey kek = g.generateKey();
              Cipher c = Cipher.getInstance("AES/ECB/NoPadding", providerOf(s));
              c.init(Cipher.WRAP_MODE, kek);
              c.wrap(handle);
            })
        .isInstanceOf(Exception.class);
    assertThat(new RootKeyCommands(root).rootkey("status"))
        .contains("* openkcm-root  sensitive, non-extractable")
        .contains("UP");
  }

  private static TokenSession tokenSession(Pkcs11RootKeyProvider root) throws Exception {
    var f = Pkcs11RootKeyProvider.class.getDeclaredField("conn");
    f.setAccessible(true);
    return ((TokenConnection) f.get(root)).session();
  }

  private static java.security.Provider providerOf(TokenSession s) throws Exception {
    var f = TokenSession.class.getDeclaredField("provider");
    f.setAccessible(true);
    return (java.security.Provider) f.get(s);
  }

  @Test
  void rotationMakesANewLabelCurrentAndOldRecordsStillOpen() throws Exception {
    SoftHsm hsm = SoftHsm.create("ks-rotate");
    Pkcs11RootKeyProvider root = provider(hsm, "root", true);
    InMemoryKeystore store = Pkcs11Fixture.memory();
    CryptoKeyService core = Pkcs11Fixture.core(store, root);
    KeyMetadata[] before = chain(core, "t1");
    byte[] l4Before = material(core, before[2]);

    assertThat(new RootKeyCommands(root).rootkey("rotate")).contains("'root-v2' is current");
    KeyMetadata[] after = chain(core, "t2");
    assertThat(WrappedDek.labelOf(Pkcs11Fixture.rootWrap(store.retrieve(before[0].ref()).sealed())))
        .isEqualTo("root");
    assertThat(WrappedDek.labelOf(Pkcs11Fixture.rootWrap(store.retrieve(after[0].ref()).sealed())))
        .isEqualTo("root-v2");

    // another node (own provider, own module instance) sees the rotated state and opens both
    Pkcs11RootKeyProvider other =
        fx.provider(Pkcs11Fixture.settings(hsm.freshModule(), hsm, "root", false, ""), n -> null);
    toClose.add(other::close);
    assertThat(other.currentLabel()).isEqualTo("root-v2");
    CryptoKeyService fresh = Pkcs11Fixture.core(store, other);
    assertThat(material(fresh, before[2])).isEqualTo(l4Before);
    material(fresh, after[2]);
    assertThat(other.keyLabels()).containsExactly("root", "root-v2");
    assertThat(new RootKeyCommands(other).rootkey("status"))
        .contains("  root  sensitive")
        .contains("* root-v2  sensitive");
    core.close();
    fresh.close();
  }

  @Test
  void theDerivedStateKeyIsTheSameOnEveryNodeAndAcrossRotationAndNeverTheKeyItself()
      throws Exception {
    SoftHsm hsm = SoftHsm.create("ks-derive");
    Pkcs11RootKeyProvider a = provider(hsm, "root", true);
    Pkcs11RootKeyProvider b =
        fx.provider(Pkcs11Fixture.settings(hsm.freshModule(), hsm, "root", false, ""), n -> null);
    toClose.add(b::close);
    byte[] first = a.deriveKey("openkcm.state/v1");
    assertThat(first).hasSize(32);
    assertThat(a.deriveKey("openkcm.state/v1")).isEqualTo(first);
    assertThat(b.deriveKey("openkcm.state/v1"))
        .as("another runtime on the same token key")
        .isEqualTo(first);
    assertThat(a.deriveKey("another label")).isNotEqualTo(first);
    a.rotate();
    assertThat(a.deriveKey("openkcm.state/v1"))
        .as("rotation must not change the derived key")
        .isEqualTo(first);

    SoftHsm other = SoftHsm.create("ks-derive-other");
    assertThat(provider(other, "root", true).deriveKey("openkcm.state/v1"))
        .as("another token key")
        .isNotEqualTo(first);

    // after a switch from another provider, the token derives the state key and the previous
    // provider's is offered for verification only (state made before still verifies)
    byte[] fromLocal = new byte[32];
    java.util.Arrays.fill(fromLocal, (byte) 7);
    org.openkcm.keystore.spi.RootKeyProvider previous =
        new org.openkcm.keystore.spi.RootKeyProvider() {
          public String name() {
            return "local";
          }

          public byte[] wrap(byte[] dek, byte[] aad) {
            throw new IllegalStateException("not used");
          }

          public byte[] unwrap(byte[] wrapped, byte[] aad) {
            throw new IllegalStateException("not used");
          }

          public org.openkcm.keystore.spi.BackendHealth health() {
            return org.openkcm.keystore.spi.BackendHealth.up(java.time.Duration.ZERO);
          }

          public byte[] deriveKey(String label) {
            return fromLocal.clone();
          }
        };
    Pkcs11RootKeyProvider switched =
        fx.provider(
            Pkcs11Fixture.settings(hsm, "root", false, "local"),
            n -> n.equals("local") ? previous : null);
    toClose.add(switched::close);
    assertThat(switched.deriveKey("openkcm.state/v1")).isEqualTo(first);
    assertThat(switched.derivePreviousKeys("openkcm.state/v1")).containsExactly(fromLocal);
    assertThat(provider(hsm, "root", false).derivePreviousKeys("openkcm.state/v1")).isEmpty();
    Pkcs11RootKeyProvider orphan =
        fx.provider(Pkcs11Fixture.settings(hsm, "root", false, "local"), n -> null);
    toClose.add(orphan::close);
    assertThatThrownBy(() -> orphan.derivePreviousKeys("openkcm.state/v1"))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("'local'");
  }

  @Test
  void aRuntimeOpensRecordsWrappedUnderAVersionAnotherRuntimeRotatedTo() throws Exception {
    SoftHsm hsm = SoftHsm.create("ks-two-nodes");
    Pkcs11RootKeyProvider a = provider(hsm, "root", true);
    Pkcs11RootKeyProvider b =
        fx.provider(Pkcs11Fixture.settings(hsm.freshModule(), hsm, "root", false, ""), n -> null);
    toClose.add(b::close);
    assertThat(b.currentLabel()).isEqualTo("root");
    InMemoryKeystore store = Pkcs11Fixture.memory();
    a.rotate();
    KeyMetadata[] made = chain(Pkcs11Fixture.core(store, a), "rotated-elsewhere");
    assertThat(WrappedDek.labelOf(Pkcs11Fixture.rootWrap(store.retrieve(made[0].ref()).sealed())))
        .isEqualTo("root-v2");
    // b has never seen root-v2: the unknown label makes it re-read the token
    CryptoKeyService onB = Pkcs11Fixture.core(store, b);
    material(onB, made[2]);
    assertThat(b.health().state()).isEqualTo(BackendState.UP);
    assertThat(b.currentLabel()).isEqualTo("root-v2");
    onB.close();
  }

  @Test
  void alteredWrapsOrAssociatedDataFailAsIntegrityErrors() throws Exception {
    SoftHsm hsm = SoftHsm.create("ks-tamper");
    Pkcs11RootKeyProvider root = provider(hsm, "root", true);
    byte[] dek = new byte[32];
    new java.security.SecureRandom().nextBytes(dek);
    byte[] aad = "record identity".getBytes(StandardCharsets.US_ASCII);
    byte[] w = root.wrap(dek, aad);
    assertThat(root.unwrap(w, aad)).isEqualTo(dek);
    assertThatThrownBy(() -> root.unwrap(w, "other identity".getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(IntegrityException.class);
    for (int i = 0; i < w.length; i++) {
      byte[] bad = w.clone();
      bad[i] ^= 1;
      assertThatThrownBy(() -> root.unwrap(bad, aad))
          .as("bit flipped at %d", i)
          .isInstanceOf(IntegrityException.class);
    }
    // and the token is still fine afterwards
    assertThat(root.unwrap(w, aad)).isEqualTo(dek);
    assertThat(root.health().state()).isEqualTo(BackendState.UP);
  }

  @Test
  void aMissingKeyLabelIsOneClearErrorUntilTheKeyIsCreated() throws Exception {
    SoftHsm hsm = SoftHsm.create("ks-missing");
    Pkcs11RootKeyProvider root = provider(hsm, "absent-root", false);
    assertThatThrownBy(() -> root.wrap(new byte[32], new byte[0]))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("ks-missing".isEmpty() ? "" : "slot " + hsm.slot)
        .hasMessageContaining("'absent-root'")
        .hasMessageContaining("keystore:rootkey create");
    assertThat(root.health().state()).isEqualTo(BackendState.UNAVAILABLE);
    assertThat(root.keyLabels()).isEmpty();

    RootKeyCommands cmd = new RootKeyCommands(root);
    assertThat(cmd.rootkey("create")).startsWith("created root key 'absent-root'");
    assertThat(cmd.rootkey("create"))
        .startsWith("error: InvalidKeyRequestException")
        .contains("already holds");
    byte[] w = root.wrap(new byte[32], new byte[0]);
    assertThat(root.unwrap(w, new byte[0])).isEqualTo(new byte[32]);
    assertThat(cmd.rootkey("bogus")).startsWith("error: InvalidKeyRequestException: usage");
  }

  @Test
  void aWrongPinIsRefusedNamingTokenAndLabelAndAFixedPinRecoversWithoutRestart() throws Exception {
    SoftHsm hsm = SoftHsm.create("ks-pin");
    provider(hsm, "root", true).close();
    fx.env.put(Pkcs11Fixture.ENV, "0000");
    Pkcs11RootKeyProvider root =
        fx.provider(Pkcs11Fixture.settings(hsm.freshModule(), hsm, "root", false, ""), n -> null);
    toClose.add(root::close);
    assertThatThrownBy(() -> root.wrap(new byte[32], new byte[0]))
        .isInstanceOf(PermissionDeniedException.class)
        .hasMessageContaining("slot " + hsm.slot)
        .hasMessageContaining("'root'")
        .hasMessageContaining("refused the PIN")
        .hasMessageContaining("CKR_PIN_INCORRECT")
        .hasMessageNotContaining("0000");
    assertThat(root.health().state()).isEqualTo(BackendState.UNAVAILABLE);
    // once the backoff allows another attempt, the refused PIN is not offered to the token again
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThatThrownBy(() -> root.wrap(new byte[32], new byte[0]))
                    .isInstanceOf(PermissionDeniedException.class)
                    .hasMessageContaining("same PIN is not tried again")
                    .hasMessageNotContaining("0000"));
    fx.env.put(Pkcs11Fixture.ENV, SoftHsm.PIN);
    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .until(() -> root.unwrap(root.wrap(new byte[32], new byte[0]), new byte[0]).length == 32);
  }

  @Test
  void thePinCanComeFromAFileAndTheTokenFromItsLabel(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    SoftHsm hsm = SoftHsm.create("ks-by-label");
    java.nio.file.Path pinFile = dir.resolve("pin");
    java.nio.file.Files.writeString(pinFile, SoftHsm.PIN + "\n");
    fx.env.remove(Pkcs11Fixture.ENV);
    Pkcs11Settings byLabel =
        new Pkcs11Settings(
            hsm.library,
            -1,
            0,
            "ks-by-label",
            "root",
            Pkcs11Fixture.ENV,
            pinFile,
            true,
            "",
            true,
            Duration.ofMillis(100));
    Pkcs11RootKeyProvider root = fx.provider(byLabel, n -> null);
    toClose.add(root::close);
    assertThat(root.unwrap(root.wrap(new byte[32], new byte[] {1}), new byte[] {1})).hasSize(32);
    assertThat(root.tokenName()).isEqualTo("'ks-by-label'");

    Pkcs11Settings otherLabel =
        new Pkcs11Settings(
            hsm.freshModule(),
            -1,
            0,
            "no-such-token",
            "root",
            Pkcs11Fixture.ENV,
            pinFile,
            false,
            "",
            true,
            Duration.ofMillis(100));
    Pkcs11RootKeyProvider none = fx.provider(otherLabel, n -> null);
    toClose.add(none::close);
    assertThatThrownBy(() -> none.wrap(new byte[32], new byte[0]))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("'no-such-token'")
        .hasMessageContaining("'root'")
        .hasMessageContaining("CKR_TOKEN_NOT_PRESENT");
  }

  @Test
  void eightThreadsShareTheTokenSessions() throws Exception {
    SoftHsm hsm = SoftHsm.create("ks-threads");
    Pkcs11RootKeyProvider root = provider(hsm, "root", true);
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      List<java.util.concurrent.Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int thread = t;
        results.add(
            pool.submit(
                () -> {
                  java.security.SecureRandom r = new java.security.SecureRandom();
                  for (int i = 0; i < 200; i++) {
                    byte[] dek = new byte[32];
                    r.nextBytes(dek);
                    byte[] aad = ("t" + thread + "-" + i).getBytes(StandardCharsets.US_ASCII);
                    if (!java.util.Arrays.equals(root.unwrap(root.wrap(dek, aad), aad), dek)) {
                      return i;
                    }
                  }
                  return -1;
                }));
      }
      for (var f : results) {
        assertThat(f.get()).isEqualTo(-1);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void noPinAtAllIsAClearError() throws Exception {
    SoftHsm hsm = SoftHsm.create("ks-nopin");
    fx.env.remove(Pkcs11Fixture.ENV);
    Pkcs11RootKeyProvider root = fx.provider(hsm, "root", true);
    toClose.add(root::close);
    assertThatThrownBy(() -> root.wrap(new byte[32], new byte[0]))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("'root'")
        .hasMessageContaining(Pkcs11Fixture.ENV + " is unset");
  }

  @Test
  void tokenRemovalIsReportedAndTheProviderRecoversWhenItComesBack() throws Exception {
    SoftHsm hsm = SoftHsm.create("ks-removal");
    Pkcs11RootKeyProvider root = provider(hsm, "root", true);
    InMemoryKeystore store = Pkcs11Fixture.memory();
    CryptoKeyService core = Pkcs11Fixture.core(store, root);
    KeyMetadata[] keys = chain(core, "acme");
    byte[] l2 = material(core, keys[0]);

    var away = hsm.removeToken();
    CryptoKeyService cold = Pkcs11Fixture.core(store, root);
    assertThatThrownBy(() -> material(cold, keys[0]))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("slot " + hsm.slot)
        .hasMessageContaining("'root'")
        .hasMessageContaining("absent");
    assertThatThrownBy(
            () -> core.create(CreateKeyRequest.builder(KeyTier.L2, Owner.tenant("during")).build()))
        .isInstanceOf(BackendUnavailableException.class);
    assertThat(root.health().state()).isEqualTo(BackendState.UNAVAILABLE);
    // nothing half-written: the failed create stored nothing; the token's objects are intact where
    // they went
    assertThat(
            store
                .list(org.openkcm.keystore.model.KeyFilter.builder().tier(KeyTier.L2).build())
                .items())
        .hasSize(1);
    assertThat(hsm.tokenFileCount(away)).isGreaterThan(0);

    hsm.restoreToken();
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(
            () -> java.util.Arrays.equals(material(Pkcs11Fixture.core(store, root), keys[0]), l2));
    assertThat(root.health().state()).isEqualTo(BackendState.UP);
    KeyMetadata later =
        core.create(CreateKeyRequest.builder(KeyTier.L2, Owner.tenant("after")).build());
    material(Pkcs11Fixture.core(store, root), later);
    core.close();
    cold.close();
  }

  @Test
  void aRuntimeSwitchesFromLocalToPkcs11AndItsOldL2WrapsStillOpen() throws Exception {
    String masterKey =
        Base64.getEncoder().encodeToString(new java.security.SecureRandom().generateSeed(32));
    LocalRootKeyProvider local = new LocalRootKeyProvider(Pkcs11Fixture.unused(), n -> masterKey);
    InMemoryKeystore store = Pkcs11Fixture.memory();
    CryptoKeyService before = Pkcs11Fixture.core(store, local);
    KeyMetadata[] old = chain(before, "legacy");
    byte[][] oldMaterial = {
      material(before, old[0]), material(before, old[1]), material(before, old[2])
    };
    before.close();

    SoftHsm hsm = SoftHsm.create("ks-migrate");
    Pkcs11RootKeyProvider strict = provider(hsm, "root", true);
    // without previousProvider the state the local root authenticated does not verify under the
    // token's key
    assertThatThrownBy(() -> material(Pkcs11Fixture.core(store, strict), old[0]))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining("another root key");

    Pkcs11RootKeyProvider root =
        fx.provider(
            Pkcs11Fixture.settings(hsm, "root", false, "local"),
            n -> n.equals("local") ? local : null);
    toClose.add(root::close);
    CryptoKeyService after = Pkcs11Fixture.core(store, root);
    for (int i = 0; i < 3; i++) {
      assertThat(material(after, old[i])).isEqualTo(oldMaterial[i]);
    }
    KeyMetadata fresh =
        after.create(CreateKeyRequest.builder(KeyTier.L2, Owner.tenant("new")).build());
    assertThat(WrappedDek.labelOf(Pkcs11Fixture.rootWrap(store.retrieve(fresh.ref()).sealed())))
        .isEqualTo("root");
    // opening the old L2 rewrapped it lazily under the token key
    assertThat(WrappedDek.labelOf(Pkcs11Fixture.rootWrap(store.retrieve(old[0].ref()).sealed())))
        .isEqualTo("root");
    // the previous provider gone while configured: its state key is needed to verify, so every
    // record answers unavailable, naming it
    Pkcs11RootKeyProvider orphan =
        fx.provider(Pkcs11Fixture.settings(hsm, "root", false, "local"), n -> null);
    toClose.add(orphan::close);
    CryptoKeyService noLocal = Pkcs11Fixture.core(store, orphan);
    assertThatThrownBy(() -> material(noLocal, old[0]))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("'local'");
    assertThatThrownBy(() -> material(noLocal, fresh))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("'local'");
    after.close();
    noLocal.close();
    local.close();
  }

  @Test
  void neitherKeyBytesNorThePinReachTheLogsOrMessages() throws Exception {
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    List<String> secrets = new ArrayList<>();
    List<String> messages = new ArrayList<>();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      SoftHsm hsm = SoftHsm.create("ks-logs");
      Pkcs11RootKeyProvider root = provider(hsm, "root", true);
      InMemoryKeystore store = Pkcs11Fixture.memory();
      CryptoKeyService core = Pkcs11Fixture.core(store, root);
      KeyMetadata[] keys = chain(core, "acme");
      for (KeyMetadata k : keys) {
        byte[] m = material(core, k);
        secrets.add(HexFormat.of().formatHex(m));
        secrets.add(Base64.getEncoder().encodeToString(m));
      }
      root.rotate();
      hsm.removeToken();
      try {
        material(Pkcs11Fixture.core(store, root), keys[0]);
      } catch (KeystoreException e) {
        messages.add(e.toString());
      }
      hsm.restoreToken();
      fx.env.put(Pkcs11Fixture.ENV, "98765432");
      Pkcs11RootKeyProvider wrong =
          fx.provider(Pkcs11Fixture.settings(hsm.freshModule(), hsm, "root", false, ""), n -> null);
      toClose.add(wrong::close);
      try {
        wrong.wrap(new byte[32], new byte[0]);
      } catch (KeystoreException e) {
        messages.add(e.toString());
      }
      messages.add(root.toString());
      messages.add(new RootKeyCommands(root).rootkey("status"));
      core.close();
    } finally {
      System.setErr(err);
    }
    String logs = captured.toString(StandardCharsets.UTF_8) + String.join("\n", messages);
    assertThat(logs).contains("PKCS#11 root key").contains("lost");
    for (String s : secrets) {
      assertThat(logs).doesNotContain(s).doesNotContain(s.substring(0, 16));
    }
    assertThat(logs).doesNotContain("98765432").doesNotContain("pin=" + SoftHsm.PIN);
  }
}
