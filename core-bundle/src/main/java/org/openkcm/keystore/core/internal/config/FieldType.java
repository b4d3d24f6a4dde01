package org.openkcm.keystore.core.internal.config;

/** How a configuration value is checked and which type it has in ConfigAdmin. */
enum FieldType {
  /** Any scalar, stored as String. */
  STRING,
  /** A String never echoed in a message or log (tokens, secret ids, passwords). */
  SECRET,
  /**
   * A path inside a storage product (a mount, a prefix): segments that can never climb out ({@code
   * ..}), stored as String.
   */
  PATH,
  /** An http(s) URL, stored as String. */
  URL,
  /** Stored as Integer. */
  INT,
  /** Stored as Boolean. */
  BOOLEAN,
  /** Checked by {@link Durations}, stored as the String the operator wrote. */
  DURATION,
  /** Several strings (a list or a comma-separated string), stored as String[]. */
  LIST,
  /** A backend name, stored as String. */
  BACKEND,
  /** A list of backend names (or a comma-separated string), stored as String[]. */
  BACKEND_LIST,
  /** Routing rules (maps or rule strings), stored as String[] in the rule syntax. */
  RULES
}
