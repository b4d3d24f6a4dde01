package org.openkcm.keystore.api;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Limits;
import org.openkcm.keystore.model.Owner;

/**
 * What to create: an L2 for a tenant, an L3 under an L2, an L4 under an L3. The core generates the
 * material (AES-256 by default), seals it under the parent and stores it through the routed
 * backend.
 */
public final class CreateKeyRequest {
  private final KeyTier tier;
  private final String keyId;
  private final Owner owner;
  private final String parentId;
  private final String algorithm;
  private final int keySize;
  private final KeyStatus initialStatus;
  private final Instant expiresAt;
  private final SortedMap<String, String> tags;

  private CreateKeyRequest(Builder b) {
    this.tier = b.tier;
    this.keyId = b.keyId;
    this.owner = b.owner;
    this.parentId = b.parentId;
    this.algorithm = b.algorithm;
    this.keySize = b.keySize;
    this.initialStatus = b.initialStatus;
    this.expiresAt = b.expiresAt;
    this.tags = new TreeMap<>(b.tags);
  }

  public static Builder builder(KeyTier tier, Owner owner) {
    return new Builder(tier, owner);
  }

  public KeyTier tier() {
    return tier;
  }

  /**
   * @return the requested id; empty to let the core generate one
   */
  public Optional<String> keyId() {
    return Optional.ofNullable(keyId);
  }

  public Owner owner() {
    return owner;
  }

  /**
   * @return the id of the parent key (its active version wraps the new key); empty for L2
   */
  public Optional<String> parentId() {
    return Optional.ofNullable(parentId);
  }

  public String algorithm() {
    return algorithm;
  }

  public int keySize() {
    return keySize;
  }

  /**
   * @return ACTIVE (default) or PRE_ACTIVE
   */
  public KeyStatus initialStatus() {
    return initialStatus;
  }

  public Optional<Instant> expiresAt() {
    return Optional.ofNullable(expiresAt);
  }

  public SortedMap<String, String> tags() {
    return java.util.Collections.unmodifiableSortedMap(tags);
  }

  @Override
  public String toString() {
    return "CreateKeyRequest["
        + tier
        + " owner="
        + owner
        + (keyId != null ? " id=" + keyId : "")
        + (parentId != null ? " parent=" + parentId : "")
        + " "
        + algorithm
        + "-"
        + keySize
        + "]";
  }

  /** Collects the request; {@link #build()} validates it. */
  public static final class Builder {
    private final KeyTier tier;
    private final Owner owner;
    private String keyId;
    private String parentId;
    private String algorithm = "AES";
    private int keySize = 256;
    private KeyStatus initialStatus = KeyStatus.ACTIVE;
    private Instant expiresAt;
    private final Map<String, String> tags = new TreeMap<>();

    private Builder(KeyTier tier, Owner owner) {
      this.tier = tier;
      this.owner = owner;
    }

    public Builder keyId(String value) {
      this.keyId = value;
      return this;
    }

    public Builder parentId(String value) {
      this.parentId = value;
      return this;
    }

    public Builder algorithm(String value, int sizeBits) {
      this.algorithm = value;
      this.keySize = sizeBits;
      return this;
    }

    public Builder initialStatus(KeyStatus value) {
      this.initialStatus = value;
      return this;
    }

    public Builder expiresAt(Instant value) {
      this.expiresAt = value;
      return this;
    }

    public Builder tag(String key, String value) {
      this.tags.put(key, value);
      return this;
    }

    /**
     * @throws InvalidKeyRequestException naming the first field that is missing or out of limits
     */
    public CreateKeyRequest build() throws InvalidKeyRequestException {
      if (tier == null) {
        throw new InvalidKeyRequestException("tier", "is required");
      }
      if (owner == null) {
        throw new InvalidKeyRequestException("owner", "is required");
      }
      if (keyId != null) {
        Limits.checkId("keyId", keyId);
      }
      if (tier == KeyTier.L2 && parentId != null) {
        throw new InvalidKeyRequestException(
            "parent", "an L2 key is wrapped by the root key and has no parent key");
      }
      if (tier != KeyTier.L2) {
        Limits.checkId("parent", parentId);
      }
      if (initialStatus != KeyStatus.ACTIVE && initialStatus != KeyStatus.PRE_ACTIVE) {
        throw new InvalidKeyRequestException(
            "status", "a new key starts ACTIVE or PRE_ACTIVE, not " + initialStatus);
      }
      return new CreateKeyRequest(this);
    }
  }
}
