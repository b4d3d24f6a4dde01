package org.openkcm.keystore.pkcs11.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Settings validation, the PIN sources, labels, the wrapped format and the failure classification.
 */
class SettingsAndFormatTest {

  @Test
  void aPinInTheConfigurationIsRefusedAndNotEchoed() {
    assertThatThrownBy(
            () -> Pkcs11Settings.from(config("CKM_AES_GCM"), Map.of("pin", "s3cret-pin")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("never configured")
        .hasMessageNotContaining("s3cret-pin");
  }

  @Test
  void onlyGcmIsAcceptedAndKeyWrapPadIsExplained() {
    assertThat(Pkcs11Settings.from(config("CKM_AES_GCM"), Map.of()).keyLabel())
        .isEqualTo("openkcm-root");
    assertThatThrownBy(() -> Pkcs11Settings.from(config("CKM_AES_KEY_WRAP_PAD"), Map.of()))
        .hasMessageContaining("not offered")
        .hasMessageContaining("SunPKCS11");
    assertThatThrownBy(() -> Pkcs11Settings.from(config("CKM_DES"), Map.of()))
        .hasMessageContaining("must be CKM_AES_GCM");
  }

  @Test
  void thePinComesFromTheEnvironmentOrAFile(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("pin");
    Files.writeString(f, "4321\n");
    assertThat(new PinSource("P", f, n -> "9999").read()).containsExactly('9', '9', '9', '9');
    assertThat(new PinSource("P", f, n -> null).read()).containsExactly('4', '3', '2', '1');
    assertThatThrownBy(() -> new PinSource("P", null, n -> null).read())
        .hasMessageContaining("P is unset");
    Files.writeString(f, "\n");
    assertThatThrownBy(() -> new PinSource("P", f, n -> null).read()).hasMessageContaining("empty");
    assertThatThrownBy(() -> new PinSource("P", dir.resolve("nope"), n -> null).read())
        .hasMessageContaining("cannot be read");
  }

  @Test
  void labelsAreVersioned() {
    assertThat(KeyLabels.label("r", 1)).isEqualTo("r");
    assertThat(KeyLabels.label("r", 3)).isEqualTo("r-v3");
    assertThat(KeyLabels.version("r", "r-v3")).isEqualTo(3);
    assertThat(KeyLabels.version("r", "r-v03")).isZero();
    assertThat(KeyLabels.version("r", "r-v1")).isZero();
    assertThat(KeyLabels.version("r", "other")).isZero();
    assertThat(KeyLabels.highest("r", List.of("r", "r-v2", "x-v9", "r-v10"))).isEqualTo(10);
  }

  @Test
  void theWrappedFormRoundTripsAndRejectsForeignOrShortBytes() {
    byte[] w = WrappedDek.encode(WrappedDek.prefix("root-v2"), new byte[12], new byte[48]);
    WrappedDek d = WrappedDek.parse(w);
    assertThat(d.label()).isEqualTo("root-v2");
    assertThat(d.ciphertext()).hasSize(48);
    assertThat(WrappedDek.isOurs(new byte[] {1, 2, 3, 4})).isFalse();
    assertThat(WrappedDek.parse(java.util.Arrays.copyOf(w, 20))).isNull();
    byte[] otherFormat = w.clone();
    otherFormat[3] = 9;
    assertThat(WrappedDek.parse(otherFormat)).isNull();
  }

  @Test
  void failuresAreClassifiedFromTheirCkrCodes() {
    assertThat(
            TokenFailure.of(new RuntimeException("x", new RuntimeException("CKR_PIN_INCORRECT"))))
        .isEqualTo(TokenFailure.PIN_INCORRECT);
    assertThat(TokenFailure.of(new RuntimeException("CKR_PIN_LOCKED")))
        .isEqualTo(TokenFailure.PIN_LOCKED);
    assertThat(TokenFailure.of(new RuntimeException("CKR_SESSION_COUNT")))
        .isEqualTo(TokenFailure.SESSION_LIMIT);
    assertThat(TokenFailure.SESSION_LIMIT.transientFailure).isTrue();
    assertThat(TokenFailure.PIN_LOCKED.transientFailure).isFalse();
    assertThat(TokenFailure.of(new RuntimeException("CKR_DEVICE_REMOVED")))
        .isEqualTo(TokenFailure.TOKEN_ABSENT);
    assertThat(
            TokenFailure.codeNames(
                new RuntimeException("a", new RuntimeException("CKR_PIN_LOCKED"))))
        .isEqualTo("CKR_PIN_LOCKED");
  }

  @Test
  void sunPkcs11ConfigMakesKeysSensitiveAndNonExtractable() {
    String c = TokenSession.config("/lib/x.so", 7, 0, 1);
    assertThat(c)
        .contains("slot = 7")
        .contains("CKA_EXTRACTABLE = false")
        .contains("CKA_SENSITIVE = true")
        .doesNotContain("slotListIndex");
    assertThat(TokenSession.config("/lib/x.so", -1, 2, 1)).contains("slotListIndex = 2");
  }

  static Pkcs11Config config(String mechanism) {
    return new Pkcs11Config() {
      public Class<? extends java.lang.annotation.Annotation> annotationType() {
        return Pkcs11Config.class;
      }

      public String library() {
        return "/usr/lib/softhsm/libsofthsm2.so";
      }

      public long slot() {
        return -1;
      }

      public int slotListIndex() {
        return 0;
      }

      public String tokenLabel() {
        return "";
      }

      public String keyLabel() {
        return "openkcm-root";
      }

      public String pinEnv() {
        return "P";
      }

      public String pinFile() {
        return "";
      }

      public String mechanism() {
        return mechanism;
      }

      public boolean createKey() {
        return false;
      }

      public String previousProvider() {
        return "";
      }

      public boolean reloadModule() {
        return true;
      }

      public String reconnectBackoff() {
        return "500ms";
      }
    };
  }
}
