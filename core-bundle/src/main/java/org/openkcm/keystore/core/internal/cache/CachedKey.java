package org.openkcm.keystore.core.internal.cache;

import org.openkcm.keystore.model.KeyMetadata;

/**
 * A plaintext-layer hit: the metadata and a private copy of the material, which the receiver owns
 * and must zeroize. {@link #toString()} shows no material.
 */
public record CachedKey(KeyMetadata metadata, byte[] material) {
  @Override
  public String toString() {
    return "CachedKey[" + metadata.ref() + "]";
  }
}
