package org.openkcm.keystore.model;

/**
 * The limits every backend can hold, in one place. They are chosen to fit OpenBao KV v2 (whose
 * {@code custom_metadata} allows 64 pairs, keys of 128 bytes, printable values of 512 bytes, and
 * whose paths must not let an id escape its prefix) with room for the fields a backend mirrors
 * itself.
 */
public final class Limits {
  /** Key and owner ids: letters, digits, '.', '_', '-'; starts with a letter or digit; no "..". */
  public static final int MAX_ID_LENGTH = 128;

  /** Algorithm names such as AES, AES-GCM-SIV, HMAC-SHA256. */
  public static final int MAX_ALGORITHM_LENGTH = 32;

  /** User tags; backends add their own mirrored fields on top of these. */
  public static final int MAX_TAGS = 32;

  public static final int MAX_TAG_KEY_LENGTH = 64;
  public static final int MAX_TAG_VALUE_LENGTH = 256;

  /** Sealed record bytes a caller may hand any backend. A backend may announce a lower bound. */
  public static final int MAX_SEALED_RECORD_BYTES = 64 * 1024;

  /** Page sizes of {@link KeyFilter}. */
  public static final int DEFAULT_PAGE_SIZE = 100;

  public static final int MAX_PAGE_SIZE = 1000;

  private Limits() {}

  /**
   * @return whether {@code k} is a tag name: 1-{@value #MAX_TAG_KEY_LENGTH} of {@code
   *     [A-Za-z0-9._:-]}, starting alphanumeric. A loop, not a regex: every metadata build passes
   *     here.
   */
  static boolean isValidTagKey(String k) {
    if (k == null
        || k.isEmpty()
        || k.length() > MAX_TAG_KEY_LENGTH
        || !isAlphanumeric(k.charAt(0))) {
      return false;
    }
    for (int i = 1; i < k.length(); i++) {
      char c = k.charAt(i);
      if (!isAlphanumeric(c) && c != '.' && c != '_' && c != ':' && c != '-') {
        return false;
      }
    }
    return true;
  }

  /**
   * @return whether {@code v} is a tag value: at most {@value #MAX_TAG_VALUE_LENGTH} printable
   *     ASCII characters (space included)
   */
  static boolean isValidTagValue(String v) {
    if (v == null || v.length() > MAX_TAG_VALUE_LENGTH) {
      return false;
    }
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c < 0x20 || c > 0x7E) {
        return false;
      }
    }
    return true;
  }

  /**
   * Checks an id (key id, owner id) and returns it.
   *
   * @throws InvalidKeyRequestException naming {@code field} if the id is empty, too long, contains
   *     a path separator, "..", a control character or anything outside the allowed alphabet
   */
  public static String checkId(String field, String id) throws InvalidKeyRequestException {
    if (id == null || id.isEmpty()) {
      throw new InvalidKeyRequestException(field, "is required");
    }
    if (id.length() > MAX_ID_LENGTH) {
      throw new InvalidKeyRequestException(
          field, "is longer than " + MAX_ID_LENGTH + " characters");
    }
    if (!isValidId(id)) {
      throw new InvalidKeyRequestException(
          field,
          "'"
              + printable(id)
              + "' must start with a letter or digit and hold only letters, digits, '.', '_' or '-' (no '..')");
    }
    return id;
  }

  /**
   * @return whether {@link #checkId} would accept {@code id}: 1-{@value #MAX_ID_LENGTH} characters
   *     of {@code [A-Za-z0-9._-]}, the first a letter or digit, no "..". A loop, not a regex: every
   *     key creation and lookup passes here.
   */
  public static boolean isValidId(String id) {
    return matches(id, MAX_ID_LENGTH, true) && !id.contains("..");
  }

  /**
   * @return whether {@code name} is an algorithm name: 1-{@value #MAX_ALGORITHM_LENGTH} of {@code
   *     [A-Za-z0-9_-]}, starting alphanumeric
   */
  static boolean isValidAlgorithm(String name) {
    return matches(name, MAX_ALGORITHM_LENGTH, false);
  }

  private static boolean matches(String s, int maxLength, boolean allowDot) {
    if (s == null || s.isEmpty() || s.length() > maxLength || !isAlphanumeric(s.charAt(0))) {
      return false;
    }
    for (int i = 1; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!isAlphanumeric(c) && c != '_' && c != '-' && !(allowDot && c == '.')) {
        return false;
      }
    }
    return true;
  }

  private static boolean isAlphanumeric(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }

  /**
   * Renders untrusted input safely inside an error message: control characters escaped, cut at 64
   * characters. Never use it for key material (which never belongs in a message at all).
   */
  public static String printable(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && b.length() < 64; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c < 0x7F) {
        b.append(c);
      } else {
        b.append(String.format("\\u%04x", (int) c));
      }
    }
    return s.length() > 64 ? b + "..." : b.toString();
  }
}
