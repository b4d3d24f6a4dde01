package org.openkcm.keystore.core.internal.keys;

import org.openkcm.keystore.audit.AuditKeys;
import org.openkcm.keystore.model.KeystoreException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The audit trail's keys, derived from the root key the core uses through the same master-key guard
 * as every key operation: a fresh installation's first audited operation (a {@code keystore:check}
 * as much as a create) makes the master key, and a missing one is never silently replaced.
 */
@Component(service = AuditKeys.class)
public final class AuditKeyService implements AuditKeys {
  private final CryptoKeyService core;

  @Activate
  public AuditKeyService(@Reference CryptoKeyService core) {
    this.core = core;
  }

  @Override
  public byte[] derive(String label) throws KeystoreException {
    return core.deriveAuditKey(label);
  }
}
