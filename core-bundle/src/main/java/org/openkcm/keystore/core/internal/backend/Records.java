package org.openkcm.keystore.core.internal.backend;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.openkcm.keystore.core.internal.crypto.StateAuthenticator;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.spi.KeyRecord;

/**
 * The one answer to "is this the same record?": equal metadata (the model keeps times to the
 * millisecond, so equality is exact) and equal sealed bytes. Revisions are per backend and never
 * compared. Used where a write's lost answer is read back, where a migration verifies its copy and
 * where the reconciler compares two backends' copies. The copies of sealed bytes read here are
 * zeroized.
 */
public final class Records {
  private Records() {}

  /**
   * @return whether {@code stored} holds exactly {@code metadata} and {@code sealed}
   */
  public static boolean same(KeyRecord stored, KeyMetadata metadata, byte[] sealed) {
    byte[] bytes = stored.sealed();
    try {
      return stored.metadata().equals(metadata) && Arrays.equals(bytes, sealed);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  /**
   * @return whether two stored records hold the same metadata and sealed bytes
   */
  public static boolean same(KeyRecord a, KeyRecord b) {
    byte[] other = b.sealed();
    try {
      return same(a, b.metadata(), other);
    } finally {
      Arrays.fill(other, (byte) 0);
    }
  }

  /**
   * As {@link #same(KeyRecord, KeyRecord)}, except the core's state tag: for a migrated copy, which
   * the crypto core re-authenticates for its new backend and so carries its own.
   */
  public static boolean sameExceptState(KeyRecord a, KeyRecord b) throws KeystoreException {
    byte[] x = a.sealed();
    byte[] y = b.sealed();
    try {
      return withoutState(a.metadata()).equals(withoutState(b.metadata())) && Arrays.equals(x, y);
    } finally {
      Arrays.fill(x, (byte) 0);
      Arrays.fill(y, (byte) 0);
    }
  }

  private static KeyMetadata withoutState(KeyMetadata m) throws KeystoreException {
    if (!m.tags().containsKey(StateAuthenticator.TAG)) {
      return m;
    }
    Map<String, String> tags = new TreeMap<>(m.tags());
    tags.remove(StateAuthenticator.TAG);
    return m.toBuilder().tags(tags).build();
  }
}
