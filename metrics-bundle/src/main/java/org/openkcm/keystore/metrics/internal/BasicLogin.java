package org.openkcm.keystore.metrics.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * HTTP Basic against the console's login from the environment. Only a salted SHA-256 of {@code
 * user:password} is kept and compared in constant time; without a login in the environment nothing
 * is accepted.
 */
final class BasicLogin {
  static final String USER_ENV = "OPENKCM_CONSOLE_USER";
  static final String PASSWORD_ENV = "OPENKCM_CONSOLE_PASSWORD";

  private final byte[] salt = new byte[16];
  private final byte[] hash;

  BasicLogin(String user, String password) {
    new SecureRandom().nextBytes(salt);
    if (user == null || password == null || user.isEmpty() || password.isEmpty()) {
      hash = null;
    } else {
      byte[] pair = (user + ":" + password).getBytes(StandardCharsets.UTF_8);
      hash = digest(pair);
      Arrays.fill(pair, (byte) 0);
    }
  }

  static BasicLogin fromEnvironment() {
    return new BasicLogin(System.getenv(USER_ENV), System.getenv(PASSWORD_ENV));
  }

  boolean accepts(String authorization) {
    if (hash == null || authorization == null || !authorization.startsWith("Basic ")) {
      return false;
    }
    byte[] given;
    try {
      given = Base64.getDecoder().decode(authorization.substring(6).trim());
    } catch (IllegalArgumentException e) {
      return false;
    }
    boolean ok = MessageDigest.isEqual(hash, digest(given));
    Arrays.fill(given, (byte) 0);
    return ok;
  }

  private byte[] digest(byte[] pair) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(salt);
      return d.digest(pair);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  @Override
  public String toString() {
    return "BasicLogin[redacted]";
  }
}
