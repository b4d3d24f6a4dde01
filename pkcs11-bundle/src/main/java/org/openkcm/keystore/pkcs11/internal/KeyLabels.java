package org.openkcm.keystore.pkcs11.internal;

import java.util.Collection;

/**
 * Versioned labels of the root key in the token: version 1 is the configured label itself (so a key
 * made with the vendor's tools under that label is used as is), version n >= 2 is {@code
 * <label>-v<n>}. The highest version present is current; rotation creates the next one.
 */
final class KeyLabels {
  private KeyLabels() {}

  static String label(String base, int version) {
    return version == 1 ? base : base + "-v" + version;
  }

  /**
   * @return the version a token label stands for under {@code base}, or 0 if it is not one of ours
   */
  static int version(String base, String label) {
    if (label.equals(base)) {
      return 1;
    }
    String p = base + "-v";
    if (!label.startsWith(p) || label.length() == p.length() || label.length() - p.length() > 6) {
      return 0;
    }
    int v = 0;
    for (int i = p.length(); i < label.length(); i++) {
      char c = label.charAt(i);
      if (c < '0' || c > '9') {
        return 0;
      }
      v = v * 10 + (c - '0');
    }
    return v >= 2 && label.equals(label(base, v)) ? v : 0;
  }

  /**
   * @return the highest version among the labels, 0 if none
   */
  static int highest(String base, Collection<String> labels) {
    int best = 0;
    for (String l : labels) {
      best = Math.max(best, version(base, l));
    }
    return best;
  }
}
