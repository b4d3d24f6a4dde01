package org.openkcm.keystore.core.internal.support;

import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Owner;

/** Metadata for tests. */
public final class Keys {
  private Keys() {}

  public static KeyMetadata key(String id, KeyTier tier, String owner, String... tags)
      throws InvalidKeyRequestException {
    KeyMetadata.Builder b =
        KeyMetadata.builder().ref(KeyRef.of(id, 1)).tier(tier).owner(Owner.parse(owner));
    if (tier != KeyTier.L2) {
      b.parent(KeyRef.of("parent-" + id, 1));
    }
    for (int i = 0; i + 1 < tags.length; i += 2) {
      b.tag(tags[i], tags[i + 1]);
    }
    return b.build();
  }

  public static KeyMetadata l2(String id) throws InvalidKeyRequestException {
    return key(id, KeyTier.L2, "tenant:acme");
  }
}
