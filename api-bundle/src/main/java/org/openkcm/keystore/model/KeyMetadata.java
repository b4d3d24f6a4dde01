package org.openkcm.keystore.model;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The standard metadata every backend persists with a record, validated once, in {@link
 * Builder#build()}: identifier (id, version), classification (tier, algorithm, key size), lifecycle
 * (status, created, updated, expiry), ownership (owner, parent key), and free-form tags.
 *
 * <p>The <em>identity</em> fields (id, version, tier, owner, algorithm, key size, parent) are bound
 * into the sealed record's associated data and never change; {@link #sameIdentity(KeyMetadata)}
 * tells whether an update keeps them. Times are kept to the millisecond so they survive any
 * backend's round trip.
 */
public final class KeyMetadata {
  private final KeyRef ref;
  private final KeyTier tier;
  private final String algorithm;
  private final int keySize;
  private final KeyStatus status;
  private final Instant createdAt;
  private final Instant updatedAt;
  private final Instant expiresAt;
  private final Owner owner;
  private final KeyRef parent;
  private final SortedMap<String, String> tags;

  private KeyMetadata(Builder b) {
    this.ref = b.ref;
    this.tier = b.tier;
    this.algorithm = b.algorithm;
    this.keySize = b.keySize;
    this.status = b.status;
    this.createdAt = b.createdAt;
    this.updatedAt = b.updatedAt;
    this.expiresAt = b.expiresAt;
    this.owner = b.owner;
    this.parent = b.parent;
    this.tags =
        b.tags.isEmpty()
            ? Collections.emptySortedMap()
            : Collections.unmodifiableSortedMap(new TreeMap<>(b.tags));
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * @return a builder holding this metadata, to derive an updated copy.
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.ref = ref;
    b.tier = tier;
    b.algorithm = algorithm;
    b.keySize = keySize;
    b.status = status;
    b.createdAt = createdAt;
    b.updatedAt = updatedAt;
    b.expiresAt = expiresAt;
    b.owner = owner;
    b.parent = parent;
    b.tags.putAll(tags);
    return b;
  }

  public KeyRef ref() {
    return ref;
  }

  public String id() {
    return ref.id();
  }

  public int version() {
    return ref.version();
  }

  public KeyTier tier() {
    return tier;
  }

  public String algorithm() {
    return algorithm;
  }

  /**
   * @return key size in bits, e.g. 256.
   */
  public int keySize() {
    return keySize;
  }

  public KeyStatus status() {
    return status;
  }

  public Instant createdAt() {
    return createdAt;
  }

  public Instant updatedAt() {
    return updatedAt;
  }

  public Optional<Instant> expiresAt() {
    return Optional.ofNullable(expiresAt);
  }

  public Owner owner() {
    return owner;
  }

  /**
   * @return the key whose material wraps this one: an L2 for an L3, an L3 for an L4; empty for L2.
   */
  public Optional<KeyRef> parent() {
    return Optional.ofNullable(parent);
  }

  /**
   * @return the tags, sorted by key, unmodifiable.
   */
  public SortedMap<String, String> tags() {
    return tags;
  }

  /**
   * @return whether {@code other} has the same identity fields (those bound into the sealed
   *     record).
   */
  public boolean sameIdentity(KeyMetadata other) {
    return ref.equals(other.ref)
        && tier == other.tier
        && owner.equals(other.owner)
        && algorithm.equals(other.algorithm)
        && keySize == other.keySize
        && Objects.equals(parent, other.parent);
  }

  /**
   * Throws unless {@code updated} keeps this record's identity: the check every backend's metadata
   * update makes, naming the first field that differs.
   */
  public void checkSameIdentity(KeyMetadata updated) throws InvalidKeyRequestException {
    if (!ref.equals(updated.ref)) {
      throw new InvalidKeyRequestException(
          "keyId", "cannot change from " + ref + " to " + updated.ref);
    }
    if (tier != updated.tier) {
      throw new InvalidKeyRequestException(
          "tier", "is part of the key's identity and cannot change");
    }
    if (!owner.equals(updated.owner)) {
      throw new InvalidKeyRequestException(
          "owner", "is part of the key's identity and cannot change");
    }
    if (!algorithm.equals(updated.algorithm) || keySize != updated.keySize) {
      throw new InvalidKeyRequestException(
          "algorithm", "algorithm and key size are part of the key's identity and cannot change");
    }
    if (!Objects.equals(parent, updated.parent)) {
      throw new InvalidKeyRequestException(
          "parent", "is part of the key's identity and cannot change");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyMetadata m
        && sameIdentity(m)
        && status == m.status
        && createdAt.equals(m.createdAt)
        && updatedAt.equals(m.updatedAt)
        && Objects.equals(expiresAt, m.expiresAt)
        && tags.equals(m.tags);
  }

  @Override
  public int hashCode() {
    return Objects.hash(ref, status, updatedAt);
  }

  /** All fields; metadata holds no secrets. */
  @Override
  public String toString() {
    return "KeyMetadata["
        + ref
        + " "
        + tier
        + " "
        + algorithm
        + "-"
        + keySize
        + " "
        + status
        + " owner="
        + owner
        + (parent != null ? " parent=" + parent : "")
        + (expiresAt != null ? " expires=" + expiresAt : "")
        + " created="
        + createdAt
        + " updated="
        + updatedAt
        + (tags.isEmpty() ? "" : " tags=" + tags)
        + "]";
  }

  /** Collects fields; {@link #build()} validates all of them at once. */
  public static final class Builder {
    private KeyRef ref;
    private KeyTier tier;
    private String algorithm = "AES";
    private int keySize = 256;
    private KeyStatus status = KeyStatus.ACTIVE;
    private Instant createdAt;
    private Instant updatedAt;
    private Instant expiresAt;
    private Owner owner;
    private KeyRef parent;
    private final Map<String, String> tags = new TreeMap<>();

    private Builder() {}

    public Builder ref(KeyRef value) {
      this.ref = value;
      return this;
    }

    public Builder tier(KeyTier value) {
      this.tier = value;
      return this;
    }

    public Builder algorithm(String value) {
      this.algorithm = value;
      return this;
    }

    public Builder keySize(int bits) {
      this.keySize = bits;
      return this;
    }

    public Builder status(KeyStatus value) {
      this.status = value;
      return this;
    }

    public Builder createdAt(Instant value) {
      this.createdAt = value;
      return this;
    }

    public Builder updatedAt(Instant value) {
      this.updatedAt = value;
      return this;
    }

    /**
     * @param value expiry, or {@code null} for none
     */
    public Builder expiresAt(Instant value) {
      this.expiresAt = value;
      return this;
    }

    public Builder owner(Owner value) {
      this.owner = value;
      return this;
    }

    /**
     * @param value the wrapping key (required for L3 and L4, absent for L2)
     */
    public Builder parent(KeyRef value) {
      this.parent = value;
      return this;
    }

    public Builder tag(String key, String value) {
      this.tags.put(key, value);
      return this;
    }

    /** Replaces all tags. */
    public Builder tags(Map<String, String> value) {
      this.tags.clear();
      this.tags.putAll(value);
      return this;
    }

    /**
     * @throws InvalidKeyRequestException naming the first field that is missing or out of limits
     */
    public KeyMetadata build() throws InvalidKeyRequestException {
      require(ref, "keyId");
      require(tier, "tier");
      require(owner, "owner");
      require(status, "status");
      if (algorithm == null || !Limits.isValidAlgorithm(algorithm)) {
        throw new InvalidKeyRequestException(
            "algorithm",
            "'"
                + Limits.printable(algorithm)
                + "' must be 1-"
                + Limits.MAX_ALGORITHM_LENGTH
                + " letters, digits, '_' or '-'");
      }
      if (keySize < 8 || keySize > 16384 || keySize % 8 != 0) {
        throw new InvalidKeyRequestException(
            "keySize", "must be a multiple of 8 bits between 8 and 16384, was " + keySize);
      }
      if (tier == KeyTier.L2 && parent != null) {
        throw new InvalidKeyRequestException(
            "parent", "an L2 key is wrapped by the root key and has no parent key");
      }
      if (tier != KeyTier.L2 && parent == null) {
        throw new InvalidKeyRequestException(
            "parent", "an " + tier + " key needs its " + tier.parentTier() + " parent");
      }
      checkTags(tags);
      Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
      createdAt = createdAt == null ? now : createdAt.truncatedTo(ChronoUnit.MILLIS);
      updatedAt = updatedAt == null ? createdAt : updatedAt.truncatedTo(ChronoUnit.MILLIS);
      expiresAt = expiresAt == null ? null : expiresAt.truncatedTo(ChronoUnit.MILLIS);
      return new KeyMetadata(this);
    }

    private static void require(Object value, String field) throws InvalidKeyRequestException {
      if (value == null) {
        throw new InvalidKeyRequestException(field, "is required");
      }
    }
  }

  /** Validates a tag map against {@link Limits}; used by metadata and by filters. */
  static void checkTags(Map<String, String> tags) throws InvalidKeyRequestException {
    if (tags.size() > Limits.MAX_TAGS) {
      throw new InvalidKeyRequestException(
          "tags", "at most " + Limits.MAX_TAGS + " tags, got " + tags.size());
    }
    for (Map.Entry<String, String> e : tags.entrySet()) {
      String k = e.getKey();
      if (!Limits.isValidTagKey(k)) {
        throw new InvalidKeyRequestException(
            "tags",
            "tag name '"
                + Limits.printable(k)
                + "' must be 1-"
                + Limits.MAX_TAG_KEY_LENGTH
                + " letters, digits, '.', '_', ':' or '-'");
      }
      String v = e.getValue();
      if (!Limits.isValidTagValue(v)) {
        throw new InvalidKeyRequestException(
            "tags." + k,
            "value must be printable ASCII of at most "
                + Limits.MAX_TAG_VALUE_LENGTH
                + " characters");
      }
    }
  }
}
