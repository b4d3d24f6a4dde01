package org.openkcm.keystore.openbao.internal;

import java.security.SecureRandom;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.openbao.testing.OpenBaoServer;

/** Shared test data and wiring. */
final class Fixtures {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Fixtures() {}

  static BaoSettings.Builder settings(OpenBaoServer bao) {
    return BaoSettings.builder()
        .address(bao.address())
        .token(bao.rootToken())
        .mount("secret")
        .timeouts(1000, 3000);
  }

  static OpenBaoKeystore keystore(OpenBaoServer bao, String prefix) {
    return new OpenBaoKeystore(settings(bao).build(), prefix, 65536);
  }

  static KeyMetadata meta(String id, int version, KeyTier tier, Owner owner)
      throws KeystoreException {
    KeyMetadata.Builder b =
        KeyMetadata.builder()
            .ref(KeyRef.of(id, version))
            .tier(tier)
            .owner(owner)
            .tag("region", "eu-1");
    if (tier != KeyTier.L2) {
      b.parent(KeyRef.of("parent-" + tier.parentTier(), 1));
    }
    return b.build();
  }

  static KeyMetadata l2(String id, String tenant) throws KeystoreException {
    return meta(id, 1, KeyTier.L2, Owner.tenant(tenant));
  }

  static byte[] sealed(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }
}
