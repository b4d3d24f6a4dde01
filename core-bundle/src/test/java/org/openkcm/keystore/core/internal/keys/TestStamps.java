package org.openkcm.keystore.core.internal.keys;

import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.spi.RootKeyProvider;

/**
 * For tests that write records the way a (trusted) core node would: with its state MAC for that
 * revision.
 */
final class TestStamps {
  private TestStamps() {}

  static KeyMetadata stamp(RootKeyProvider root, KeyMetadata m, long revision)
      throws KeystoreException {
    StateKeys k = new StateKeys(root);
    try {
      return k.stamp(m, revision);
    } finally {
      k.close();
    }
  }
}
