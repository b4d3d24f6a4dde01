package org.openkcm.keystore.core.internal.keys;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Limits;

class KeyIdsTest {
  @Test
  void generatedIdsAreValidUniqueAndNameTheirTier() {
    for (KeyTier t : KeyTier.values()) {
      String id = KeyIds.random(t);
      assertThat(Limits.isValidId(id)).isTrue();
      assertThat(KeyIds.tierHint(id)).isEqualTo(t);
      assertThat(KeyIds.random(t)).isNotEqualTo(id);
    }
    assertThat(KeyIds.tierHint("tenant-key")).isNull();
    assertThat(KeyIds.tierHint("l4-short")).isNull();
  }
}
