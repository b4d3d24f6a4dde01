package org.openkcm.keystore.api;

import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeystoreException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * An opened (plaintext, "green") key held in memory. Closing it zeroizes the bytes it holds; use it
 * in a try-with-resources block. {@link #toString()} never shows material.
 */
@ProviderType
public interface KeyHandle extends AutoCloseable {

  KeyMetadata metadata();

  /**
   * @return a copy of the key material; the caller owns it and must zeroize it when done
   */
  byte[] copyMaterial() throws KeystoreException;

  /**
   * AES-256-GCM under this key with the caller's associated data; output = version byte, IV,
   * ciphertext+tag.
   */
  byte[] encrypt(byte[] plaintext, byte[] aad) throws KeystoreException;

  /** Reverses {@link #encrypt}; a tampered input or a different aad gives an integrity error. */
  byte[] decrypt(byte[] ciphertext, byte[] aad) throws KeystoreException;

  /** Zeroizes the material. Idempotent; later calls fail with an invalid request. */
  @Override
  void close();
}
