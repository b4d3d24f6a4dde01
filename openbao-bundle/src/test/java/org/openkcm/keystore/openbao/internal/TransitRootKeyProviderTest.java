package org.openkcm.keystore.openbao.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.openkcm.keystore.openbao.internal.Fixtures.sealed;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.model.BackendSealedException;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.IntegrityException;
import org.openkcm.keystore.openbao.testing.OpenBaoServer;
import org.openkcm.keystore.spi.BackendState;

/**
 * Wrapping DEKs with a real Transit key: round trip, tampering, rotation, a missing or unfit key.
 */
class TransitRootKeyProviderTest {
  private static final byte[] AAD =
      "tenant-key@1|L2|tenant:acme|AES-256".getBytes(StandardCharsets.UTF_8);
  private static OpenBaoServer bao;
  private TransitRootKeyProvider provider;

  @BeforeAll
  static void startBao() {
    bao = OpenBaoServer.startDev();
    bao.cliOk("secrets", "enable", "transit");
  }

  @AfterAll
  static void stopBao() {
    bao.close();
  }

  @BeforeEach
  void open() {
    bao.cliOk("write", "-f", "transit/keys/openkcm-root", "type=aes256-gcm96");
    provider = provider("openkcm-root");
  }

  @AfterEach
  void close() {
    provider.deactivate();
  }

  private static TransitRootKeyProvider provider(String key) {
    return new TransitRootKeyProvider(Fixtures.settings(bao).mount("transit").build(), key);
  }

  @Test
  void wrapsAndUnwrapsWithTheKeyVersionInTheWrappedForm() throws Exception {
    byte[] dek = sealed(32);
    byte[] wrapped = provider.wrap(dek, AAD);

    String text = new String(wrapped, StandardCharsets.US_ASCII);
    assertThat(text).startsWith("vault:v");
    assertThat(TransitRootKeyProvider.keyVersion(wrapped)).isPositive();
    assertThat(text).doesNotContain(Base64.getEncoder().encodeToString(dek));
    assertThat(provider.unwrap(wrapped, AAD)).isEqualTo(dek);
    assertThat(provider.name()).isEqualTo("openbao-transit");
    assertThat(provider.health().state()).isEqualTo(BackendState.UP);
  }

  @Test
  void derivedKeysAreDeterministicPerLabelAndSurviveATransitKeyRotation() throws Exception {
    byte[] a = provider.deriveKey("openkcm-keystore record state v1");
    assertThat(a).hasSize(32);
    TransitRootKeyProvider other = provider("openkcm-root"); // another node
    try {
      assertThat(other.deriveKey("openkcm-keystore record state v1")).isEqualTo(a);
      assertThat(other.deriveKey("another label")).isNotEqualTo(a);
      bao.cliOk("write", "-f", "transit/keys/openkcm-root/rotate");
      assertThat(other.deriveKey("openkcm-keystore record state v1")).isEqualTo(a);
    } finally {
      other.deactivate();
    }
    bao.cliOk("write", "-f", "transit/keys/other-root", "type=aes256-gcm96");
    TransitRootKeyProvider third = provider("other-root");
    try {
      assertThat(third.deriveKey("openkcm-keystore record state v1")).isNotEqualTo(a);
    } finally {
      third.deactivate();
    }
  }

  @Test
  void anyTamperingIsAnIntegrityError() throws Exception {
    byte[] wrapped = provider.wrap(sealed(32), AAD);
    String text = new String(wrapped, StandardCharsets.US_ASCII);
    int body = text.indexOf(':', 6) + 1;
    char c = text.charAt(body + 5);
    String flipped =
        text.substring(0, body + 5) + (c == 'A' ? 'B' : 'A') + text.substring(body + 6);

    for (String bad :
        new String[] {
          flipped,
          text.substring(0, text.length() - 4),
          text.replaceFirst("vault:v\\d+", "vault:v7"),
          "garbage"
        }) {
      assertThatThrownBy(() -> provider.unwrap(bad.getBytes(StandardCharsets.US_ASCII), AAD))
          .as(bad)
          .isInstanceOf(IntegrityException.class);
    }
    byte[] otherAad = AAD.clone();
    otherAad[0] ^= 1;
    assertThatThrownBy(() -> provider.unwrap(wrapped, otherAad))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining("altered");
  }

  @Test
  void rotationKeepsOlderWrappedDeksReadable() throws Exception {
    byte[] dek1 = sealed(32);
    byte[] w1 = provider.wrap(dek1, AAD);
    int v1 = TransitRootKeyProvider.keyVersion(w1);

    bao.cliOk("write", "-f", "transit/keys/openkcm-root/rotate");
    byte[] dek2 = sealed(32);
    byte[] w2 = provider.wrap(dek2, AAD);

    assertThat(TransitRootKeyProvider.keyVersion(w2)).isEqualTo(v1 + 1);
    assertThat(provider.unwrap(w1, AAD)).isEqualTo(dek1);
    assertThat(provider.unwrap(w2, AAD)).isEqualTo(dek2);
  }

  @Test
  void aMissingKeyIsNeverCreatedAndAKeyWithoutAeadIsRefused() throws Exception {
    TransitRootKeyProvider typo = provider("openkcm-rot");
    assertThatThrownBy(() -> typo.wrap(sealed(32), AAD))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("does not exist");
    assertThat(typo.health().state()).isEqualTo(BackendState.UNAVAILABLE);
    assertThat(bao.cli("read", "transit/keys/openkcm-rot").exitCode())
        .as("no key created by the attempt")
        .isNotZero();
    typo.deactivate();

    bao.cliOk("write", "-f", "transit/keys/rsa-root", "type=rsa-2048");
    TransitRootKeyProvider rsa = provider("rsa-root");
    assertThatThrownBy(() -> rsa.wrap(sealed(32), AAD))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("associated data");
    rsa.deactivate();
  }

  @Test
  void sealedServerIsTypedAndUnsealingResumes() throws Exception {
    byte[] dek = sealed(32);
    byte[] wrapped = provider.wrap(dek, AAD);
    bao.seal();
    try {
      assertThatThrownBy(() -> provider.unwrap(wrapped, AAD))
          .isInstanceOf(BackendSealedException.class);
      assertThat(provider.health().state()).isEqualTo(BackendState.SEALED);
    } finally {
      bao.unseal();
    }
    assertThat(provider.unwrap(wrapped, AAD)).isEqualTo(dek);
  }
}
