package org.openkcm.keystore.model;

import java.util.Objects;

/** Owner of a key: a tenant, a service or a node, by id. */
public final class Owner {
  private final OwnerType type;
  private final String id;

  private Owner(OwnerType type, String id) {
    this.type = type;
    this.id = id;
  }

  /**
   * @throws InvalidKeyRequestException if the type is missing or the id breaks {@link
   *     Limits#checkId}
   */
  public static Owner of(OwnerType type, String id) throws InvalidKeyRequestException {
    if (type == null) {
      throw new InvalidKeyRequestException("owner.type", "is required");
    }
    return new Owner(type, Limits.checkId("owner.id", id));
  }

  public static Owner tenant(String id) throws InvalidKeyRequestException {
    return of(OwnerType.TENANT, id);
  }

  public static Owner service(String id) throws InvalidKeyRequestException {
    return of(OwnerType.SERVICE, id);
  }

  public static Owner node(String id) throws InvalidKeyRequestException {
    return of(OwnerType.NODE, id);
  }

  /** Parses {@code type:id}, e.g. {@code tenant:acme}. */
  public static Owner parse(String text) throws InvalidKeyRequestException {
    int colon = text == null ? -1 : text.indexOf(':');
    if (colon < 0) {
      throw new InvalidKeyRequestException("owner", "expected type:id, e.g. tenant:acme");
    }
    return of(OwnerType.parse("owner.type", text.substring(0, colon)), text.substring(colon + 1));
  }

  public OwnerType type() {
    return type;
  }

  public String id() {
    return id;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Owner w && w.type == type && w.id.equals(id);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, id);
  }

  /** {@code tenant:acme}, the form {@link #parse} reads. */
  @Override
  public String toString() {
    return type.name().toLowerCase(java.util.Locale.ROOT) + ":" + id;
  }
}
