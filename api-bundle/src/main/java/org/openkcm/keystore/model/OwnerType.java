package org.openkcm.keystore.model;

/** Who a key belongs to. */
public enum OwnerType {
  TENANT,
  SERVICE,
  NODE;

  /**
   * Parses an owner type case-insensitively; unknown names are an invalid request naming {@code
   * field}.
   */
  public static OwnerType parse(String field, String value) throws InvalidKeyRequestException {
    if (value != null) {
      for (OwnerType t : values()) {
        if (t.name().equalsIgnoreCase(value.trim())) {
          return t;
        }
      }
    }
    throw new InvalidKeyRequestException(
        field, "unknown owner type '" + Limits.printable(value) + "'");
  }
}
