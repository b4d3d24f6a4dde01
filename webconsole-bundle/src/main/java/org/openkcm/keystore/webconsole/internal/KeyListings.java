package org.openkcm.keystore.webconsole.internal;

import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Limits;
import org.openkcm.keystore.model.Owner;

/** The listings the key page and the hierarchy view ask for. */
final class KeyListings {
  /** The core's tag naming a key's parent id, the same one it finds children by. */
  static final String PARENT_TAG = "openkcm.parent";

  /** How many keys of one level the hierarchy view and the children table show. */
  static final int PAGE = 200;

  private KeyListings() {}

  static KeyFilter versionsOf(String keyId) throws InvalidKeyRequestException {
    return KeyFilter.builder().keyId(keyId).pageSize(Limits.MAX_PAGE_SIZE).build();
  }

  /** An L3's children are looked for among L4 keys only (the tier index keeps it cheap). */
  static KeyFilter childrenOf(KeyMetadata parent) throws InvalidKeyRequestException {
    KeyFilter.Builder b = KeyFilter.builder().tag(PARENT_TAG, parent.id()).pageSize(PAGE);
    return parent.tier() == KeyTier.L3 ? b.tier(KeyTier.L4).build() : b.build();
  }

  static KeyFilter tenantKeys(Owner owner) throws InvalidKeyRequestException {
    return KeyFilter.builder().owner(owner).tier(KeyTier.L2).pageSize(PAGE).build();
  }
}
