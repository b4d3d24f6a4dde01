package org.openkcm.keystore.core.internal.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openkcm.keystore.model.IntegrityException;

/**
 * Master key file: created owner-only, refused when unsafe or wrong, and a wrong key fails loudly.
 */
class LocalRootKeyProviderTest {
  @TempDir Path dir;

  @Test
  void createsOwnerOnlyKeyOnFirstStartAndReusesIt() throws Exception {
    Path file = dir.resolve("conf/master.key");
    byte[] dek = ThreadCrypto.randomBytes(32);
    byte[] wrapped;
    String kid;
    try (LocalRootKeyProvider p = new LocalRootKeyProvider(file, n -> null)) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .isEqualTo("rw-------");
      assertThat(Files.size(file)).isEqualTo(32);
      wrapped = p.wrap(dek, new byte[] {1});
      kid = p.keyIdHex();
    }
    byte[] key = Files.readAllBytes(file);
    try (LocalRootKeyProvider again = new LocalRootKeyProvider(file, n -> null)) {
      assertThat(again.keyIdHex()).isEqualTo(kid);
      assertThat(again.unwrap(wrapped, new byte[] {1})).isEqualTo(dek);
      assertThat(Files.readAllBytes(file)).isEqualTo(key);
      assertThat(again.toString()).doesNotContain(HexFormat.of().formatHex(key));
    }
  }

  @Test
  void refusesGroupOrWorldReadableFileWithoutShowingTheKey() throws Exception {
    Path file = dir.resolve("master.key");
    byte[] key = ThreadCrypto.randomBytes(32);
    Files.write(file, key);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> new LocalRootKeyProvider(file, n -> null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("rw-r--r--")
        .hasMessageContaining("chmod 600")
        .message()
        .doesNotContain(HexFormat.of().formatHex(key))
        .doesNotContain(Base64.getEncoder().encodeToString(key));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw--w----"));
    assertThatThrownBy(() -> new LocalRootKeyProvider(file, n -> null))
        .hasMessageContaining("group or others");
    assertThat(Files.readAllBytes(file)).isEqualTo(key); // left as it was
  }

  @Test
  void refusesWrongSizeUnreadableAndNonRegularFiles() throws Exception {
    Path shortFile = dir.resolve("short.key");
    Files.write(shortFile, new byte[16]);
    Files.setPosixFilePermissions(shortFile, PosixFilePermissions.fromString("rw-------"));
    assertThatThrownBy(() -> new LocalRootKeyProvider(shortFile, n -> null))
        .hasMessageContaining("holds 16 bytes");

    Path unreadable = dir.resolve("unreadable.key");
    Files.write(unreadable, new byte[32]);
    Files.setPosixFilePermissions(unreadable, PosixFilePermissions.fromString("-w-------"));
    assertThatThrownBy(() -> new LocalRootKeyProvider(unreadable, n -> null))
        .hasMessageContaining("not readable");

    Path directory = Files.createDirectory(dir.resolve("dir.key"));
    assertThatThrownBy(() -> new LocalRootKeyProvider(directory, n -> null))
        .hasMessageContaining("not a regular file");
  }

  @Test
  void environmentKeyWinsAndBadValuesAreRefused() throws Exception {
    byte[] key = ThreadCrypto.randomBytes(32);
    String b64 = Base64.getEncoder().encodeToString(key);
    Path file = dir.resolve("never.key");
    try (LocalRootKeyProvider p =
        new LocalRootKeyProvider(file, n -> MasterKeyFile.ENV.equals(n) ? b64 : null)) {
      assertThat(p.keyIdHex()).isEqualTo(HexFormat.of().formatHex(LocalRootKeyProvider.keyId(key)));
    }
    assertThat(file).doesNotExist();
    assertThatThrownBy(() -> new LocalRootKeyProvider(file, n -> "%%%not base64"))
        .hasMessageContaining("not valid base64")
        .message()
        .doesNotContain("%%%");
    String shortKey = Base64.getEncoder().encodeToString(new byte[31]);
    assertThatThrownBy(() -> new LocalRootKeyProvider(file, n -> shortKey))
        .hasMessageContaining("31 bytes");
  }

  @Test
  void wrongMasterKeyOrAlteredInputIsAnIntegrityError() throws Exception {
    byte[] dek = ThreadCrypto.randomBytes(32);
    try (LocalRootKeyProvider a = new LocalRootKeyProvider(dir.resolve("a.key"), n -> null);
        LocalRootKeyProvider b = new LocalRootKeyProvider(dir.resolve("b.key"), n -> null)) {
      byte[] wrapped = a.wrap(dek, new byte[] {7});
      assertThatThrownBy(() -> b.unwrap(wrapped, new byte[] {7}))
          .isInstanceOf(IntegrityException.class)
          .hasMessageContaining(a.keyIdHex())
          .hasMessageContaining(b.keyIdHex());
      assertThatThrownBy(() -> a.unwrap(wrapped, new byte[] {8}))
          .isInstanceOf(IntegrityException.class);
      byte[] flipped = wrapped.clone();
      flipped[flipped.length - 1] ^= 1;
      assertThatThrownBy(() -> a.unwrap(flipped, new byte[] {7}))
          .isInstanceOf(IntegrityException.class);
      assertThat(org.openkcm.keystore.testkit.PlaintextScan.indexOf(wrapped, dek)).isEqualTo(-1);
    }
  }

  @Test
  void derivedKeysAreDeterministicPerLabelAndMasterKey() throws Exception {
    Path file = dir.resolve("derive.key");
    byte[] a;
    try (LocalRootKeyProvider p = new LocalRootKeyProvider(file, n -> null)) {
      a = p.deriveKey("openkcm-keystore record state v1");
      assertThat(a).hasSize(32).isNotEqualTo(p.deriveKey("other"));
    }
    try (LocalRootKeyProvider again = new LocalRootKeyProvider(file, n -> null)) {
      assertThat(again.deriveKey("openkcm-keystore record state v1")).isEqualTo(a);
    }
    try (LocalRootKeyProvider other =
        new LocalRootKeyProvider(dir.resolve("other.key"), n -> null)) {
      assertThat(other.deriveKey("openkcm-keystore record state v1")).isNotEqualTo(a);
    }
  }
}
