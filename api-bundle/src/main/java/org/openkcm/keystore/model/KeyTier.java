package org.openkcm.keystore.model;

/**
 * The tiers of the OpenKCM key hierarchy that this keystore persists. L1 never enters the runtime.
 */
public enum KeyTier {
  /** Tenant key, wrapped by the root key. Long-lived (yearly rotation). */
  L2,
  /** Service key, wrapped by its tenant's L2. Monthly rotation. */
  L3,
  /** Data key ("crypto edge"), wrapped by its L3. Short-lived, high volume. */
  L4;

  /**
   * @return the tier of this tier's parent key, or {@code null} for L2 (whose parent is the root
   *     key).
   */
  public KeyTier parentTier() {
    return switch (this) {
      case L2 -> null;
      case L3 -> L2;
      case L4 -> L3;
    };
  }

  /**
   * Parses a tier name case-insensitively; unknown names are an invalid request naming {@code
   * field}.
   */
  public static KeyTier parse(String field, String value) throws InvalidKeyRequestException {
    if (value != null) {
      for (KeyTier t : values()) {
        if (t.name().equalsIgnoreCase(value.trim())) {
          return t;
        }
      }
    }
    throw new InvalidKeyRequestException(
        field, "unknown tier '" + Limits.printable(value) + "', expected L2, L3 or L4");
  }
}
