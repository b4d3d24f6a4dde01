package org.openkcm.keystore.audit;

import org.openkcm.keystore.model.KeystoreException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Keys an audit sink authenticates its trail with, derived by the core from the root key it uses
 * (so only the runtime can extend or verify a trail). On a fresh installation the first derivation
 * creates the local master key under the same guard as the first key: never while a key id is
 * recorded for it or a configured backend holds records.
 */
@ProviderType
public interface AuditKeys {
  /** Every label starts with this; the core's own derived keys are out of reach. */
  String LABEL_PREFIX = "openkcm-keystore-audit";

  /**
   * @param label names the key (starts with {@link #LABEL_PREFIX}); the same label gives the same
   *     key while the root key is the same
   * @return a fresh copy of the derived key, which the caller zeroizes
   * @throws org.openkcm.keystore.model.InvalidKeyRequestException if the label lacks the prefix
   * @throws org.openkcm.keystore.model.BackendUnavailableException if the root key is unavailable
   */
  byte[] derive(String label) throws KeystoreException;
}
