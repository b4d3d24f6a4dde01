package org.openkcm.keystore.model;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What to list: every criterion set must hold (AND); tags match when the key has all of them.
 * Results come in (id, version) order, a page at a time; the cursor is opaque to callers and names
 * the last record of the previous page, so no key is skipped or repeated across pages even while
 * keys are added. A filter never selects key material: listing returns metadata only.
 */
public final class KeyFilter {
  private final Owner owner;
  private final KeyTier tier;
  private final Set<KeyStatus> statuses;
  private final String algorithm;
  private final Instant expiresBefore;
  private final Instant expiresAfter;
  private final SortedMap<String, String> tags;
  private final String idPrefix;
  private final String keyId;
  private final int pageSize;
  private final KeyRef after;

  private KeyFilter(Builder b, KeyRef after) {
    this.owner = b.owner;
    this.tier = b.tier;
    this.statuses =
        b.statuses.isEmpty()
            ? Collections.emptySet()
            : Collections.unmodifiableSet(EnumSet.copyOf(b.statuses));
    this.algorithm = b.algorithm;
    this.expiresBefore = b.expiresBefore;
    this.expiresAfter = b.expiresAfter;
    this.tags = Collections.unmodifiableSortedMap(new TreeMap<>(b.tags));
    this.idPrefix = b.idPrefix;
    this.keyId = b.keyId;
    this.pageSize = b.pageSize;
    this.after = after;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A filter that matches everything, first page of the default size. */
  public static KeyFilter all() {
    try {
      return builder().build();
    } catch (InvalidKeyRequestException e) {
      throw new AssertionError(e);
    }
  }

  public Optional<Owner> owner() {
    return Optional.ofNullable(owner);
  }

  public Optional<KeyTier> tier() {
    return Optional.ofNullable(tier);
  }

  /**
   * @return the statuses of which the key must have one; empty for any.
   */
  public Set<KeyStatus> statuses() {
    return statuses;
  }

  public Optional<String> algorithm() {
    return Optional.ofNullable(algorithm);
  }

  /**
   * @return keys expiring strictly before this instant (keys without expiry never match).
   */
  public Optional<Instant> expiresBefore() {
    return Optional.ofNullable(expiresBefore);
  }

  /**
   * @return keys expiring strictly after this instant (keys without expiry never match).
   */
  public Optional<Instant> expiresAfter() {
    return Optional.ofNullable(expiresAfter);
  }

  /**
   * @return tags the key must all have, with these values.
   */
  public SortedMap<String, String> tags() {
    return tags;
  }

  public Optional<String> idPrefix() {
    return Optional.ofNullable(idPrefix);
  }

  /**
   * @return an exact key id (all its versions), when set.
   */
  public Optional<String> keyId() {
    return Optional.ofNullable(keyId);
  }

  public int pageSize() {
    return pageSize;
  }

  /**
   * @return the position after which this page starts (decoded from the cursor), empty for the
   *     first page.
   */
  public Optional<KeyRef> after() {
    return Optional.ofNullable(after);
  }

  /**
   * @return a copy of this filter positioned after {@code ref}, e.g. to continue a listing.
   */
  public KeyFilter after(KeyRef ref) {
    return new KeyFilter(toBuilder(), ref);
  }

  /**
   * @param cursor a cursor from {@link Page#nextCursor()} of a listing with this filter
   * @return a copy of this filter that continues after that cursor
   */
  public KeyFilter withCursor(String cursor) throws InvalidKeyRequestException {
    return new KeyFilter(
        toBuilder(), cursor == null || cursor.isEmpty() ? null : decodeCursor(cursor));
  }

  /**
   * @return a copy of this filter with another page size (clamped to 1..{@link
   *     Limits#MAX_PAGE_SIZE}).
   */
  public KeyFilter withPageSize(int size) {
    Builder b = toBuilder();
    b.pageSize = Math.max(1, Math.min(Limits.MAX_PAGE_SIZE, size));
    return new KeyFilter(b, after);
  }

  private Builder toBuilder() {
    Builder b = new Builder();
    b.owner = owner;
    b.tier = tier;
    b.statuses.addAll(statuses);
    b.algorithm = algorithm;
    b.expiresBefore = expiresBefore;
    b.expiresAfter = expiresAfter;
    b.tags.putAll(tags);
    b.idPrefix = idPrefix;
    b.keyId = keyId;
    b.pageSize = pageSize;
    return b;
  }

  /**
   * @return whether {@code m} satisfies every criterion (position and page size aside).
   */
  public boolean matches(KeyMetadata m) {
    if (owner != null && !owner.equals(m.owner())) {
      return false;
    }
    if (tier != null && tier != m.tier()) {
      return false;
    }
    if (!statuses.isEmpty() && !statuses.contains(m.status())) {
      return false;
    }
    if (algorithm != null && !algorithm.equalsIgnoreCase(m.algorithm())) {
      return false;
    }
    if (expiresBefore != null
        && (m.expiresAt().isEmpty() || !m.expiresAt().get().isBefore(expiresBefore))) {
      return false;
    }
    if (expiresAfter != null
        && (m.expiresAt().isEmpty() || !m.expiresAt().get().isAfter(expiresAfter))) {
      return false;
    }
    if (idPrefix != null && !m.id().startsWith(idPrefix)) {
      return false;
    }
    if (keyId != null && !keyId.equals(m.id())) {
      return false;
    }
    for (Map.Entry<String, String> t : tags.entrySet()) {
      if (!t.getValue().equals(m.tags().get(t.getKey()))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Builds one page from candidates given in ascending (id, version) order: skips those at or
   * before the cursor and those that do not match, takes up to the page size, and sets the next
   * cursor when a further match exists. Backends and the core share this so every listing pages the
   * same way.
   */
  public Page<KeyMetadata> collectPage(Iterator<KeyMetadata> ascending) {
    List<KeyMetadata> out = new ArrayList<>(Math.min(pageSize, 64));
    while (ascending.hasNext()) {
      KeyMetadata m = ascending.next();
      if ((after != null && m.ref().compareTo(after) <= 0) || !matches(m)) {
        continue;
      }
      if (out.size() == pageSize) {
        return new Page<>(out, cursorAfter(out.get(out.size() - 1).ref()));
      }
      out.add(m);
    }
    return new Page<>(out, null);
  }

  /**
   * @return the opaque cursor that continues a listing after {@code ref}.
   */
  public static String cursorAfter(KeyRef ref) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(ref.toString().getBytes(StandardCharsets.UTF_8));
  }

  static KeyRef decodeCursor(String cursor) throws InvalidKeyRequestException {
    try {
      return KeyRef.parse(
          new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException | InvalidKeyRequestException e) {
      throw new InvalidKeyRequestException("cursor", "is not a cursor this keystore issued");
    }
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("KeyFilter[");
    if (owner != null) b.append(" owner=").append(owner);
    if (tier != null) b.append(" tier=").append(tier);
    if (!statuses.isEmpty()) b.append(" status=").append(statuses);
    if (algorithm != null) b.append(" algorithm=").append(algorithm);
    if (expiresBefore != null) b.append(" expiresBefore=").append(expiresBefore);
    if (expiresAfter != null) b.append(" expiresAfter=").append(expiresAfter);
    if (!tags.isEmpty()) b.append(" tags=").append(tags);
    if (idPrefix != null) b.append(" idPrefix=").append(idPrefix);
    if (keyId != null) b.append(" keyId=").append(keyId);
    b.append(" pageSize=").append(pageSize);
    if (after != null) b.append(" after=").append(after);
    return b.append(" ]").toString();
  }

  /** Collects criteria; {@link #build()} validates them. */
  public static final class Builder {
    private Owner owner;
    private KeyTier tier;
    private final Set<KeyStatus> statuses = EnumSet.noneOf(KeyStatus.class);
    private String algorithm;
    private Instant expiresBefore;
    private Instant expiresAfter;
    private final Map<String, String> tags = new TreeMap<>();
    private String idPrefix;
    private String keyId;
    private int pageSize = Limits.DEFAULT_PAGE_SIZE;
    private String cursor;

    private Builder() {}

    public Builder owner(Owner value) {
      this.owner = value;
      return this;
    }

    public Builder tier(KeyTier value) {
      this.tier = value;
      return this;
    }

    /** Adds an accepted status; several statuses match any of them. */
    public Builder status(KeyStatus value) {
      this.statuses.add(value);
      return this;
    }

    public Builder algorithm(String value) {
      this.algorithm = value;
      return this;
    }

    public Builder expiresBefore(Instant value) {
      this.expiresBefore = value;
      return this;
    }

    public Builder expiresAfter(Instant value) {
      this.expiresAfter = value;
      return this;
    }

    public Builder tag(String key, String value) {
      this.tags.put(key, value);
      return this;
    }

    public Builder idPrefix(String value) {
      this.idPrefix = value;
      return this;
    }

    public Builder keyId(String value) {
      this.keyId = value;
      return this;
    }

    public Builder pageSize(int value) {
      this.pageSize = value;
      return this;
    }

    /**
     * @param value the cursor of the previous page ({@link Page#nextCursor()}), or {@code null} for
     *     the first
     */
    public Builder cursor(String value) {
      this.cursor = value;
      return this;
    }

    /**
     * @throws InvalidKeyRequestException naming the first criterion out of limits
     */
    public KeyFilter build() throws InvalidKeyRequestException {
      if (pageSize < 1 || pageSize > Limits.MAX_PAGE_SIZE) {
        throw new InvalidKeyRequestException(
            "pageSize", "must be between 1 and " + Limits.MAX_PAGE_SIZE + ", was " + pageSize);
      }
      if (idPrefix != null && !idPrefix.isEmpty()) {
        Limits.checkId("idPrefix", idPrefix);
      }
      if (keyId != null) {
        Limits.checkId("keyId", keyId);
      }
      if (algorithm != null && !Limits.isValidAlgorithm(algorithm)) {
        throw new InvalidKeyRequestException(
            "algorithm", "'" + Limits.printable(algorithm) + "' is not an algorithm name");
      }
      KeyMetadata.checkTags(tags);
      if (idPrefix != null && idPrefix.isEmpty()) {
        idPrefix = null;
      }
      KeyRef after = cursor == null || cursor.isEmpty() ? null : decodeCursor(cursor);
      return new KeyFilter(this, after);
    }
  }
}
