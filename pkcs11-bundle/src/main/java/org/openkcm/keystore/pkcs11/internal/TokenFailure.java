package org.openkcm.keystore.pkcs11.internal;

import java.util.Locale;

/**
 * What went wrong in a PKCS#11 call, read from the CKR_ code SunPKCS11 puts in its exception
 * messages (the exception class itself is internal to the JDK).
 */
enum TokenFailure {
  /** CKR_PIN_INCORRECT / CKR_PIN_INVALID / CKR_PIN_LEN_RANGE: the token refused the PIN. */
  PIN_INCORRECT(false, "the token refused the PIN"),
  /** CKR_PIN_LOCKED / CKR_PIN_EXPIRED: the user PIN is locked; a security officer must reset it. */
  PIN_LOCKED(
      false, "the user PIN is locked (or expired) in the token; a security officer must reset it"),
  /** CKR_SESSION_COUNT, CKR_DEVICE_MEMORY, CKR_HOST_MEMORY: the token is at its session limit. */
  SESSION_LIMIT(true, "the token has no free session (session limit reached)"),
  /** Token removed, slot gone, device error, handles invalidated: the token is absent. */
  TOKEN_ABSENT(true, "the token is absent or not responding"),
  /** Anything else the module reported. */
  OTHER(true, "the PKCS#11 module reported an error");

  final boolean transientFailure;
  final String meaning;

  TokenFailure(boolean transientFailure, String meaning) {
    this.transientFailure = transientFailure;
    this.meaning = meaning;
  }

  static TokenFailure of(Throwable t) {
    String codes = codes(t);
    if (codes.contains("CKR_PIN_LOCKED") || codes.contains("CKR_PIN_EXPIRED")) {
      return PIN_LOCKED;
    }
    if (codes.contains("CKR_PIN_INCORRECT")
        || codes.contains("CKR_PIN_INVALID")
        || codes.contains("CKR_PIN_LEN_RANGE")) {
      return PIN_INCORRECT;
    }
    if (codes.contains("CKR_SESSION_COUNT")
        || codes.contains("CKR_DEVICE_MEMORY")
        || codes.contains("CKR_HOST_MEMORY")) {
      return SESSION_LIMIT;
    }
    if (codes.contains("CKR_TOKEN_NOT_PRESENT")
        || codes.contains("CKR_DEVICE_REMOVED")
        || codes.contains("CKR_DEVICE_ERROR")
        || codes.contains("CKR_SLOT_ID_INVALID")
        || codes.contains("CKR_OBJECT_HANDLE_INVALID")
        || codes.contains("CKR_KEY_HANDLE_INVALID")
        || codes.contains("CKR_SESSION_HANDLE_INVALID")
        || codes.contains("CKR_SESSION_CLOSED")
        || codes.contains("CKR_TOKEN_NOT_RECOGNIZED")
        || codes.contains("CKR_GENERAL_ERROR")
        || codes.contains("CKR_CRYPTOKI_NOT_INITIALIZED")
        || codes.contains("CKR_USER_NOT_LOGGED_IN")
        || codes.contains("TOKEN HAS BEEN REMOVED")
        || codes.contains("INITIALIZATION FAILED")) {
      return TOKEN_ABSENT;
    }
    return OTHER;
  }

  /**
   * @return the CKR_ codes named along the cause chain, for messages (no data, only code names)
   */
  static String codeNames(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      String m = c.getMessage();
      if (m == null) {
        continue;
      }
      for (String w : m.split("[^A-Z0-9_]+")) {
        if (w.startsWith("CKR_") && b.indexOf(w) < 0) {
          b.append(b.length() == 0 ? "" : ", ").append(w);
        }
      }
    }
    return b.length() == 0 ? t.getClass().getSimpleName() : b.toString();
  }

  private static String codes(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      b.append(c.getClass().getName()).append(':').append(c.getMessage()).append('\n');
    }
    return b.toString().toUpperCase(Locale.ROOT);
  }
}
