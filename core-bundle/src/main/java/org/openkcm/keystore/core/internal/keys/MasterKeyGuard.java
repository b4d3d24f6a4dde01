package org.openkcm.keystore.core.internal.keys;

import org.openkcm.keystore.core.internal.backend.BackendDirectory;
import org.openkcm.keystore.core.internal.crypto.LocalRootKeyProvider;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.spi.BackendHealth;
import org.openkcm.keystore.spi.Keystore;
import org.openkcm.keystore.spi.RootKeyProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The root-key provider the core uses, guarded so that a local master key is never created over
 * existing keys: while the local provider has no key file, the first operation that needs the root
 * key creates one only if no key id was recorded for the file and every configured backend answers
 * that it holds no record; otherwise it fails with one message naming the file and the expected
 * master key id (the recorded one, or the one the stored L2 records name).
 */
final class MasterKeyGuard implements RootKeyProvider {
  private static final Logger LOG = LoggerFactory.getLogger(MasterKeyGuard.class);

  /** The provider in use now (the configured one, which may change). */
  @FunctionalInterface
  interface Current {
    RootKeyProvider get() throws KeystoreException;
  }

  private final RootKeyProvider root;
  private final Current current;
  private final BackendDirectory backends;

  /**
   * @param root the provider the core uses (answers name and health)
   * @param current the provider {@code root} delegates to now
   */
  MasterKeyGuard(RootKeyProvider root, Current current, BackendDirectory backends) {
    this.root = root;
    this.current = current;
    this.backends = backends;
  }

  private RootKeyProvider ready() throws KeystoreException {
    RootKeyProvider p = current.get();
    if (p instanceof LocalRootKeyProvider local && !local.hasKey()) {
      ensureKey(local);
    }
    return p;
  }

  private synchronized void ensureKey(LocalRootKeyProvider local) throws KeystoreException {
    if (local.hasKey()) {
      return;
    }
    String recorded = local.recordedKeyId();
    if (recorded != null) {
      throw unavailable(local.missingMessage(recorded));
    }
    for (Keystore k : backends.configured()) {
      Page<KeyMetadata> any = k.list(KeyFilter.all().withPageSize(1));
      if (!any.items().isEmpty()) {
        throw unavailable(
            local.missingMessage(expectedId(k))
                + " (backend '"
                + k.info().name()
                + "' holds keys)");
      }
    }
    try {
      local.create();
    } catch (IllegalStateException e) {
      throw unavailable(e.getMessage());
    }
    LOG.warn(
        "Local root key: no configured backend holds keys; created a NEW master key at {} (id {}). Back it up:"
            + " without it no L2 key opens.",
        local.file(),
        local.keyIdHex());
  }

  /**
   * @return the master key id the backend's first L2 record names, or null
   */
  private static String expectedId(Keystore k) {
    try {
      Page<KeyMetadata> l2 = k.list(KeyFilter.builder().tier(KeyTier.L2).pageSize(1).build());
      return l2.items().isEmpty()
          ? null
          : LocalRootKeyProvider.keyIdOf(k.retrieve(l2.items().get(0).ref()).sealed());
    } catch (KeystoreException e) {
      return null;
    }
  }

  private static BackendUnavailableException unavailable(String message) {
    return new BackendUnavailableException(LocalRootKeyProvider.NAME, message, null);
  }

  @Override
  public String name() {
    return root.name();
  }

  @Override
  public byte[] wrap(byte[] dek, byte[] aad) throws KeystoreException {
    return ready().wrap(dek, aad);
  }

  @Override
  public byte[] unwrap(byte[] wrapped, byte[] aad) throws KeystoreException {
    return ready().unwrap(wrapped, aad);
  }

  @Override
  public byte[] deriveKey(String label) throws KeystoreException {
    return ready().deriveKey(label);
  }

  @Override
  public java.util.List<byte[]> derivePreviousKeys(String label) throws KeystoreException {
    return ready().derivePreviousKeys(label);
  }

  @Override
  public boolean needsRewrap(byte[] wrapped) {
    return root.needsRewrap(wrapped);
  }

  @Override
  public BackendHealth health() {
    return root.health();
  }

  @Override
  public String toString() {
    return root.toString();
  }
}
