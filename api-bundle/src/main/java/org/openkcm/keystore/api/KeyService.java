package org.openkcm.keystore.api;

import java.time.Instant;
import java.util.Map;
import org.openkcm.keystore.model.IntegrityException;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Page;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The crypto core: creates, opens, rotates and destroys the L2-L4 keys of the OpenKCM hierarchy and
 * persists every one of them, sealed, through the {@link org.openkcm.keystore.spi.Keystore} backend
 * the routing rules choose. Backends never see plaintext; an opened key lives only in a {@link
 * KeyHandle}.
 *
 * <p>Every method either completes or fails with a {@link KeystoreException} subclass and leaves no
 * partial state (multi-step operations are compensated).
 */
@ProviderType
public interface KeyService {

  /**
   * Generates a key, seals it under its parent (the root key for L2) and stores it as version 1.
   *
   * @return the stored metadata
   */
  KeyMetadata create(CreateKeyRequest request) throws KeystoreException;

  /**
   * Opens one version of a key. Allowed for states that may process data (not PENDING, PRE_ACTIVE
   * or DESTROYED).
   *
   * @throws IntegrityException if the stored record was altered or moved
   */
  KeyHandle open(KeyRef ref) throws KeystoreException;

  /** Opens the highest ACTIVE version of a key. */
  KeyHandle openActive(String keyId) throws KeystoreException;

  /**
   * Encrypts with the active version; the output names that version, so {@link #decrypt} needs only
   * the id.
   */
  byte[] encrypt(String keyId, byte[] plaintext, byte[] aad) throws KeystoreException;

  /**
   * Decrypts with whichever version encrypted the data, as long as that version may still process.
   */
  byte[] decrypt(String keyId, byte[] ciphertext, byte[] aad) throws KeystoreException;

  /** Creates the next version as ACTIVE and moves the previous active version to DEPRECATED. */
  KeyMetadata rotate(String keyId) throws KeystoreException;

  /**
   * Moves one version along a legal lifecycle transition ({@link KeyStatus#canTransitionTo}).
   *
   * @throws InvalidKeyRequestException naming {@code status} for an illegal transition
   */
  KeyMetadata changeStatus(KeyRef ref, KeyStatus next) throws KeystoreException;

  /** Replaces the tags and expiry of one version (identity fields never change). */
  KeyMetadata updateMetadata(KeyRef ref, Map<String, String> tags, Instant expiresAt)
      throws KeystoreException;

  /**
   * Crypto-shreds every version of a key. A key with live children is refused unless {@code
   * cascade}, which destroys the children first.
   */
  void destroy(String keyId, boolean cascade) throws KeystoreException;

  /**
   * @return the metadata of one version, never material
   */
  KeyMetadata metadata(KeyRef ref) throws KeystoreException;

  /**
   * @return matching metadata across every configured backend, merged in (id, version) order
   */
  Page<KeyMetadata> list(KeyFilter filter) throws KeystoreException;

  /**
   * @return hit, miss and eviction counts of the caches
   */
  CacheStatistics cacheStatistics();
}
