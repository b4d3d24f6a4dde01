package org.openkcm.keystore.spi;

import org.openkcm.keystore.model.IntegrityException;
import org.openkcm.keystore.model.KeystoreException;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The root of the hierarchy (L1's stand-in inside the runtime): wraps and unwraps the
 * data-encryption keys of L2 records, so that the root key never leaves its home (a local master
 * key file for development, OpenBao Transit in production, an HSM later). Registered as a service
 * with {@value #PROVIDER_PROPERTY} naming it; the core uses the one its configuration names.
 */
@ConsumerType
public interface RootKeyProvider {

  /** Service property naming the provider, e.g. {@code local} or {@code openbao-transit}. */
  String PROVIDER_PROPERTY = "keystore.rootkey";

  /**
   * @return the provider's name, equal to its {@value #PROVIDER_PROPERTY} property
   */
  String name();

  /**
   * Wraps a DEK bound to {@code aad}. The result is self-describing: it carries whatever the
   * provider needs to unwrap it later (e.g. the root key's version), so rotating the root key keeps
   * older records readable.
   */
  byte[] wrap(byte[] dek, byte[] aad) throws KeystoreException;

  /**
   * @return the DEK; the caller zeroizes it when done
   * @throws IntegrityException if the wrapped bytes or the aad were altered
   */
  byte[] unwrap(byte[] wrapped, byte[] aad) throws KeystoreException;

  /**
   * @return the provider's health; never throws
   */
  BackendHealth health();

  /**
   * Derives a 32-byte secret from the root key, deterministically for a given {@code label} and
   * root key (the same on every node), so that the core can authenticate what it stores with a key
   * no backend ever sees. A local key derives it with HKDF-SHA256, OpenBao Transit with its HMAC
   * endpoint, an HSM with an HMAC or KDF inside the token. Rotating the root key must not change
   * the result.
   *
   * @return the derived secret; the caller zeroizes it when done
   * @throws KeystoreException if the provider cannot derive secrets (the default), or is
   *     unavailable
   * @since 1.1
   */
  default byte[] deriveKey(String label) throws KeystoreException {
    throw new org.openkcm.keystore.model.BackendUnavailableException(
        name(),
        "root key provider '"
            + name()
            + "' cannot derive keys (RootKeyProvider.deriveKey), which the core needs to authenticate stored state",
        null);
  }

  /**
   * Tells whether a wrap this provider opens was made by a root key it no longer wraps with (an
   * older key version, or another provider it migrates from), so that the core should re-wrap the
   * DEK ({@link #wrap}) and store the record again.
   *
   * @return whether {@code wrapped} should be re-wrapped; the default: never
   * @since 1.2
   */
  default boolean needsRewrap(byte[] wrapped) {
    return false;
  }

  /**
   * Secrets derived ({@link #deriveKey}) by root keys this provider still accepts but no longer
   * derives with, e.g. the provider a runtime is migrating from: the core verifies stored state
   * against them too, and re-authenticates a record under {@link #deriveKey} whenever it rewrites
   * it.
   *
   * @return the secrets, each owned and zeroized by the caller; the default: none
   * @since 1.2
   */
  default java.util.List<byte[]> derivePreviousKeys(String label) throws KeystoreException {
    return java.util.List.of();
  }
}
