package org.openkcm.keystore.core.internal.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.api.KeyHandle;
import org.openkcm.keystore.api.KeyService;
import org.openkcm.keystore.core.internal.backend.Fixtures;
import org.openkcm.keystore.core.internal.support.Keys;
import org.openkcm.keystore.inmemory.internal.InMemoryKeystore;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyNotFoundException;
import org.openkcm.keystore.model.KeyTier;

class KeystoreCommandsTest {
  private static final byte[] SEALED = HexFormat.of().parseHex("deadbeefcafebabe0011223344556677");
  private static final byte[] MATERIAL =
      HexFormat.of().parseHex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
  private Fixtures fx;
  private KeystoreCommands commands;
  private final InMemoryKeystore vault = new InMemoryKeystore("vault", 100);
  private final InMemoryKeystore edge = new InMemoryKeystore("inmemory", 100);

  @BeforeEach
  void setUp() throws Exception {
    fx = new Fixtures(new String[] {"tier=L2,L3 -> vault", "tier=L4 -> inmemory"}, "inmemory");
    fx.register("vault", 0, vault);
    fx.register("inmemory", 0, edge);
    fx.register("rogue", 99, new InMemoryKeystore("rogue", 1));
    vault.store(Keys.key("tenant-eu", KeyTier.L2, "tenant:eu-1", "region", "eu"), SEALED);
    vault.store(Keys.key("tenant-us", KeyTier.L2, "tenant:us-1", "region", "us"), SEALED);
    edge.store(Keys.key("dek-1", KeyTier.L4, "tenant:eu-1", "region", "eu"), SEALED);
    commands = new KeystoreCommands(fx.manager(), fx.manager(), keyService());
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  @Test
  void listFiltersAcrossBackendsAndNeverPrintsSealedBytes() {
    String out = commands.list("tag.region=eu");
    assertThat(out)
        .contains("dek-1@1", "tenant-eu@1")
        .doesNotContain("tenant-us")
        .contains("2 key(s)");
    assertThat(commands.list("tier=L2", "owner=tenant:us-1"))
        .contains("tenant-us@1")
        .doesNotContain("tenant-eu");
    String paged = commands.search("size=1");
    assertThat(paged).contains("dek-1@1").contains("next page: page=");
    String cursor = paged.substring(paged.indexOf("page=") + 5).trim();
    assertThat(commands.list("size=1", "page=" + cursor)).contains("tenant-eu@1");
    assertThat(out + paged).doesNotContainIgnoringCase("deadbeef");
  }

  @Test
  void showNamesTheBackendAndSizeOnly() {
    String out = commands.show("tenant-eu@1");
    assertThat(out)
        .contains("tier:      L2", "backend:   vault", "16 sealed bytes")
        .doesNotContainIgnoringCase("deadbeef");
  }

  @Test
  void aBareIdIsTheHighestActiveVersionAndADeprecatedVersionShowsItsCheckValue(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    try (var root =
        new org.openkcm.keystore.core.internal.crypto.LocalRootKeyProvider(
            dir.resolve("master.key"), n -> null)) {
      var core =
          new org.openkcm.keystore.core.internal.keys.CryptoKeyService(
              fx.manager(),
              root,
              new org.openkcm.keystore.core.internal.cache.KeyCache(
                  org.openkcm.keystore.core.internal.cache.CacheSettings.defaults()));
      KeystoreCommands real = new KeystoreCommands(fx.manager(), fx.manager(), core);
      real.create("L2", "tenant:acme", new String[] {"id=acme"});
      String v1 = real.get("acme");
      real.rotate("acme");
      String bare = real.get("acme");
      assertThat(bare).contains("acme@2").contains("ACTIVE").contains("roundtrip: ok");
      assertThat(real.show("acme")).contains("acme@2").contains("integrity: ok");
      String old = real.get("acme@1");
      assertThat(old)
          .contains("acme@1")
          .contains("DEPRECATED")
          .contains("roundtrip: decrypt-only ok");
      String kcv = v1.lines().filter(l -> l.startsWith("kcv")).findFirst().orElseThrow();
      assertThat(old).contains(kcv);
      core.close();
    }
  }

  @Test
  void errorsAreOneClearLine() {
    assertThat(commands.show("nope"))
        .isEqualTo("error: KeyNotFound: key 'nope' not found in any configured backend\n");
    assertThat(commands.show("nope@1"))
        .isEqualTo("error: KeyNotFound: key nope@1 is in no configured backend\n");
    assertThat(commands.list("tier=L9"))
        .startsWith("error: InvalidKeyRequest: tier: unknown tier")
        .hasLineCount(1);
    assertThat(commands.list("colour=red"))
        .startsWith("error: InvalidKeyRequest: colour: unknown argument");
    assertThat(commands.migrate("rogue", new String[0]))
        .startsWith("error: InvalidKeyRequest: backend: 'rogue' is not named");
    assertThat(new KeystoreCommands(fx.manager(), fx.manager(), null).get("x"))
        .startsWith("error: BackendUnavailable: backend 'core' unavailable: the key service");
  }

  @Test
  void backendsRoutesCheckAndMigrate() {
    assertThat(commands.backends()).contains("vault", "inmemory").containsPattern("rogue +no +yes");
    assertThat(commands.routes()).contains(" 1. tier=L2,L3", "-> vault", " 3. default");
    assertThat(commands.check("vault")).containsPattern("vault +yes +yes +UP .* 2 ");
    assertThat(commands.migrate("inmemory", new String[] {"tier=L2", "owner=tenant:us-1"}))
        .contains("1 moved, 0 skipped, 0 failed");
    assertThat(edge.size()).isEqualTo(2);
    assertThat(vault.size()).isEqualTo(1);
  }

  @Test
  void getShowsAKeyCheckValueAndARoundTripButNeverTheMaterial() {
    String out = commands.get("tenant-eu");
    assertThat(out).contains("kcv:", "roundtrip: ok");
    String hex = HexFormat.of().formatHex(MATERIAL);
    assertThat(out)
        .doesNotContainIgnoringCase(hex.substring(0, 8))
        .doesNotContainIgnoringCase(hex.substring(8, 16))
        .doesNotContain(java.util.Base64.getEncoder().encodeToString(MATERIAL).substring(0, 8));
    assertThat(commands.get("tenant-eu"))
        .isEqualTo(
            out.replaceAll(
                "sha256 \\w+", out.substring(out.indexOf("sha256"), out.indexOf("sha256") + 15)));
  }

  /**
   * A KeyService whose handles hold {@link #MATERIAL}; "encryption" is xor, enough to round-trip.
   */
  private KeyService keyService() {
    return (KeyService)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {KeyService.class},
            (p, m, args) -> {
              if (m.getName().equals("openActive")) {
                throw new org.openkcm.keystore.model.InvalidKeyRequestException(
                    "status", "no ACTIVE version in this stub");
              }
              if (m.getName().equals("list")) {
                return vault.list((org.openkcm.keystore.model.KeyFilter) args[0]);
              }
              if (m.getName().equals("metadata")) {
                return vault.retrieve((org.openkcm.keystore.model.KeyRef) args[0]).metadata();
              }
              if (!m.getName().equals("open")) {
                throw new UnsupportedOperationException(m.getName());
              }
              KeyMetadata md =
                  vault.retrieve((org.openkcm.keystore.model.KeyRef) args[0]).metadata();
              return handle(md);
            });
  }

  private static KeyHandle handle(KeyMetadata md) {
    return (KeyHandle)
        Proxy.newProxyInstance(
            KeystoreCommandsTest.class.getClassLoader(),
            new Class<?>[] {KeyHandle.class},
            (p, m, args) ->
                switch (m.getName()) {
                  case "metadata" -> md;
                  case "copyMaterial" -> MATERIAL.clone();
                  case "encrypt", "decrypt" -> xor((byte[]) args[0]);
                  case "close" -> null;
                  default -> throw new KeyNotFoundException(md.ref(), null, m.getName());
                });
  }

  private static byte[] xor(byte[] in) {
    byte[] out = in.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] ^= MATERIAL[i % MATERIAL.length];
    }
    return out;
  }

  @Test
  void configSaysWhereTheFileIsExpectedWhenItIsAbsent(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path file = dir.resolve("conf/config.yaml");
    org.openkcm.keystore.core.internal.config.ConfigFileStatus status =
        new org.openkcm.keystore.core.internal.config.ConfigFileStatus() {
          public java.nio.file.Path file() {
            return file;
          }

          public String lastOutcome() {
            return "applied at 2026-12-01T00:00:00Z: []";
          }

          public long appliedCount() {
            return 1;
          }

          public long rejectedCount() {
            return 0;
          }
        };
    KeystoreCommands withFile =
        new KeystoreCommands(fx.manager(), fx.manager(), keyService(), status);
    assertThat(withFile.config())
        .contains(
            "file:     "
                + file
                + " (ABSENT: expected here, OPENKCM_KEYSTORE_CONFIG names another path");
    java.nio.file.Files.createDirectories(file.getParent());
    java.nio.file.Files.writeString(file, "# all defaults\n");
    assertThat(withFile.config()).contains("file:     " + file + "\n").doesNotContain("ABSENT");
  }
}
