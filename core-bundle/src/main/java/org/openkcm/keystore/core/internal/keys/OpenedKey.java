package org.openkcm.keystore.core.internal.keys;

import java.util.Arrays;
import org.openkcm.keystore.api.KeyHandle;
import org.openkcm.keystore.core.internal.cache.SecretBytes;
import org.openkcm.keystore.core.internal.crypto.DataCipher;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeystoreException;

/**
 * A handle on one opened version. It owns its own copy of the material (never the cache's), and
 * every operation works on a further short-lived copy taken under an optimistic stamp, so a {@link
 * #close()} racing an operation can never make it run under a half-wiped key.
 */
final class OpenedKey implements KeyHandle {
  private final KeyMetadata metadata;
  private final SecretBytes material;

  /** Takes ownership of {@code owned}. */
  OpenedKey(KeyMetadata metadata, byte[] owned) {
    this.metadata = metadata;
    this.material = new SecretBytes(owned);
  }

  @Override
  public KeyMetadata metadata() {
    return metadata;
  }

  @Override
  public byte[] copyMaterial() throws KeystoreException {
    return key();
  }

  @Override
  public byte[] encrypt(byte[] plaintext, byte[] aad) throws KeystoreException {
    checkEncrypt(metadata, plaintext);
    byte[] k = key();
    try {
      return DataCipher.encrypt(k, metadata.version(), plaintext, aad);
    } finally {
      Arrays.fill(k, (byte) 0);
    }
  }

  /**
   * What an encrypt under {@code m} requires (shared with the core's encrypt, which uses the cached
   * material without a handle).
   */
  static void checkEncrypt(KeyMetadata m, byte[] plaintext) throws KeystoreException {
    if (plaintext == null) {
      throw new InvalidKeyRequestException("plaintext", "is required");
    }
    if (!m.status().mayProtect()) {
      throw new InvalidKeyRequestException(
          "status", "key " + m.ref() + " is " + m.status() + " and protects no new data");
    }
    KeyVersions.refuseIfExpired(m, "expiresAt");
  }

  @Override
  public byte[] decrypt(byte[] ciphertext, byte[] aad) throws KeystoreException {
    byte[] k = key();
    try {
      return DataCipher.decrypt(k, metadata.ref(), ciphertext, aad);
    } finally {
      Arrays.fill(k, (byte) 0);
    }
  }

  private byte[] key() throws InvalidKeyRequestException {
    byte[] k = material.copy();
    if (k == null) {
      throw new InvalidKeyRequestException(
          "handle", "key handle for " + metadata.ref() + " is closed");
    }
    return k;
  }

  @Override
  public void close() {
    material.destroy();
  }

  /** For tests: whether the handle's own copy is wiped. */
  boolean isClosed() {
    return material.destroyed();
  }

  @Override
  public String toString() {
    return "KeyHandle["
        + metadata.ref()
        + " "
        + metadata.status()
        + (material.destroyed() ? ", closed" : "")
        + "]";
  }
}
