package org.openkcm.keystore.model;

import java.util.EnumSet;
import java.util.Set;

/**
 * Lifecycle states after NIST SP 800-57 part 1 (pre-activation, active, suspended, deactivated,
 * compromised, destroyed), named as the OpenKCM seed names them (Active, Deprecated, Retired).
 *
 * <p>{@link #PENDING} is not a NIST state: it marks the intent record of a multi-step operation (a
 * saga) that has not completed. A pending record is never handed out as a usable key; the
 * reconciler either completes it or removes it.
 */
public enum KeyStatus {
  /** Saga intent: written first, completed or removed by the reconciler. Never usable. */
  PENDING,
  /** Generated, not yet usable for protection. */
  PRE_ACTIVE,
  /** Usable to protect (encrypt, wrap) and to process (decrypt, unwrap). */
  ACTIVE,
  /** Temporarily unusable; may return to ACTIVE. */
  SUSPENDED,
  /** Superseded by a newer version: processes only (decrypts old data), protects nothing new. */
  DEPRECATED,
  /**
   * Deactivated: kept for the record, may still process under operator control, protects nothing.
   */
  RETIRED,
  /** Known or suspected to be disclosed. Processes only, for recovery. */
  COMPROMISED,
  /** Material destroyed; only metadata may remain. Terminal. */
  DESTROYED;

  /**
   * @return whether the lifecycle allows moving from this state to {@code next}.
   */
  public boolean canTransitionTo(KeyStatus next) {
    return allowedNext().contains(next);
  }

  /**
   * @return the states reachable from this one in one legal step.
   */
  public Set<KeyStatus> allowedNext() {
    return switch (this) {
      case PENDING -> EnumSet.of(PRE_ACTIVE, ACTIVE, DESTROYED);
      case PRE_ACTIVE -> EnumSet.of(ACTIVE, COMPROMISED, DESTROYED);
      case ACTIVE -> EnumSet.of(SUSPENDED, DEPRECATED, RETIRED, COMPROMISED);
      case SUSPENDED -> EnumSet.of(ACTIVE, DEPRECATED, RETIRED, COMPROMISED);
      case DEPRECATED -> EnumSet.of(RETIRED, COMPROMISED);
      case RETIRED -> EnumSet.of(COMPROMISED, DESTROYED);
      case COMPROMISED -> EnumSet.of(DESTROYED);
      case DESTROYED -> EnumSet.noneOf(KeyStatus.class);
    };
  }

  /**
   * @return whether a key in this state may protect new data (encrypt, wrap children).
   */
  public boolean mayProtect() {
    return this == ACTIVE;
  }

  /**
   * @return whether a key in this state may process existing data (decrypt, unwrap children).
   */
  public boolean mayProcess() {
    return this == ACTIVE
        || this == DEPRECATED
        || this == SUSPENDED
        || this == RETIRED
        || this == COMPROMISED;
  }

  /**
   * Parses a status name case-insensitively; unknown names are an invalid request naming {@code
   * field}.
   */
  public static KeyStatus parse(String field, String value) throws InvalidKeyRequestException {
    if (value != null) {
      for (KeyStatus s : values()) {
        if (s.name().equalsIgnoreCase(value.trim())) {
          return s;
        }
      }
    }
    StringBuilder accepted = new StringBuilder();
    for (KeyStatus s : values()) {
      accepted.append(accepted.length() == 0 ? "" : ", ").append(s.name());
    }
    throw new InvalidKeyRequestException(
        field, "unknown status '" + Limits.printable(value) + "', expected one of " + accepted);
  }
}
