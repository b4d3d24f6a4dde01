package org.openkcm.keystore.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Ids, algorithms and metadata are validated once, here: path tricks and out-of-limit values never
 * get through.
 */
class ValidationTest {

  @ParameterizedTest
  @ValueSource(strings = {"a", "A9", "tenant-acme.l2_v1", "0", "x.y-z_1"})
  void acceptsPlainIds(String id) throws Exception {
    assertThat(Limits.isValidId(id)).isTrue();
    assertThat(KeyRef.of(id, 1).id()).isEqualTo(id);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "../etc",
        "..",
        "a..b",
        "a/b",
        "/abs",
        ".hidden",
        "-dash",
        "_u",
        "a b",
        "a\nb",
        "a\u0000b",
        "ü",
        "a%2Fb",
        "a\\b"
      })
  void rejectsPathTricksAndForeignCharacters(String id) {
    assertThat(Limits.isValidId(id)).isFalse();
    assertThatThrownBy(() -> KeyRef.of(id, 1))
        .isInstanceOf(InvalidKeyRequestException.class)
        .satisfies(e -> assertThat(((InvalidKeyRequestException) e).field()).isEqualTo("keyId"))
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("\u0000"));
  }

  @Test
  void idLengthLimitIsExact() throws Exception {
    assertThat(KeyRef.of("a".repeat(Limits.MAX_ID_LENGTH), 1).id()).hasSize(Limits.MAX_ID_LENGTH);
    assertThatThrownBy(() -> KeyRef.of("a".repeat(Limits.MAX_ID_LENGTH + 1), 1))
        .isInstanceOf(InvalidKeyRequestException.class);
    assertThatThrownBy(() -> KeyRef.of("a", 0)).isInstanceOf(InvalidKeyRequestException.class);
  }

  @Test
  void metadataNamesTheOffendingField() throws Exception {
    KeyMetadata.Builder base =
        KeyMetadata.builder()
            .ref(KeyRef.of("k", 1))
            .tier(KeyTier.L3)
            .owner(Owner.tenant("t"))
            .parent(KeyRef.of("p", 1));
    assertThat(base.build().algorithm()).isEqualTo("AES");
    assertField(base.algorithm("AES/GCM"), "algorithm");
    assertField(base.algorithm("A".repeat(Limits.MAX_ALGORITHM_LENGTH + 1)), "algorithm");
    assertField(base.algorithm("AES").keySize(7), "keySize");
    assertField(base.keySize(256).parent(null), "parent");
    assertField(base.parent(KeyRef.of("p", 1)).tag("bad key", "v"), "tags");
    assertField(
        KeyMetadata.builder()
            .ref(KeyRef.of("k", 1))
            .tier(KeyTier.L2)
            .owner(Owner.tenant("t"))
            .tag("region", "\u0001"),
        "tags.region");
    assertField(KeyMetadata.builder().tier(KeyTier.L2).owner(Owner.tenant("t")), "keyId");
    assertThatThrownBy(() -> KeyTier.parse("tier", "L7"))
        .isInstanceOf(InvalidKeyRequestException.class)
        .hasMessageContaining("L7");
  }

  private static void assertField(KeyMetadata.Builder b, String field) {
    assertThatThrownBy(b::build)
        .isInstanceOf(InvalidKeyRequestException.class)
        .satisfies(e -> assertThat(((InvalidKeyRequestException) e).field()).isEqualTo(field));
  }
}
