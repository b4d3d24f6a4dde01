package org.openkcm.keystore.webconsole.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;

/**
 * The one console login, taken from the environment so the password never sits on a command line or
 * in a file: {@value #USER_ENV} and {@value #PASSWORD_ENV}. The well-known admin/admin login is
 * only accepted when {@value #DEV_ENV}=true; anything else without real credentials is refused,
 * which stops the runtime. Only a salted SHA-256 of the password is kept.
 */
final class ConsoleCredentials {
  static final String USER_ENV = "OPENKCM_CONSOLE_USER";
  static final String PASSWORD_ENV = "OPENKCM_CONSOLE_PASSWORD";
  static final String DEV_ENV = "OPENKCM_KEYSTORE_DEV";
  static final String DEFAULT_USER = "admin";
  static final String DEFAULT_PASSWORD = "admin";
  static final int MIN_PASSWORD_LENGTH = 8;

  /** The bind address bin/keystore passes to the HTTP service. */
  static final String HOST_ENV = "OPENKCM_HTTP_HOST";

  private final String user;
  private final byte[] salt = new byte[16];
  private final byte[] hash;
  private final boolean development;

  private ConsoleCredentials(String user, String password, boolean development) {
    this.user = user;
    this.development = development;
    new SecureRandom().nextBytes(salt);
    byte[] pw = password.getBytes(StandardCharsets.UTF_8);
    this.hash = digest(pw);
    Arrays.fill(pw, (byte) 0);
  }

  /**
   * @param env the process environment (or a test map)
   * @throws IllegalStateException with an operator-facing reason (never the password) when refused
   */
  static ConsoleCredentials from(Map<String, String> env) {
    boolean dev = "true".equalsIgnoreCase(trim(env.get(DEV_ENV)));
    String user = trim(env.get(USER_ENV));
    String password = env.get(PASSWORD_ENV);
    boolean hasUser = !user.isEmpty();
    boolean hasPassword = password != null && !password.isEmpty();
    String host = trim(env.get(HOST_ENV));
    if (dev && !host.isEmpty() && !loopback(host)) {
      throw new IllegalStateException(
          "development mode ("
              + DEV_ENV
              + "=true) only listens on loopback, but "
              + HOST_ENV
              + " is '"
              + org.openkcm.keystore.model.Limits.printable(host)
              + "': unset it or start without --dev");
    }
    if (!hasUser && !hasPassword) {
      if (!dev) {
        throw new IllegalStateException(
            "no console credentials: set "
                + USER_ENV
                + " and "
                + PASSWORD_ENV
                + ", or start with --dev ("
                + DEV_ENV
                + "=true) to accept the default admin/admin login");
      }
      return new ConsoleCredentials(DEFAULT_USER, DEFAULT_PASSWORD, true);
    }
    if (!hasUser || !hasPassword) {
      throw new IllegalStateException(
          "set both "
              + USER_ENV
              + " and "
              + PASSWORD_ENV
              + " (only "
              + (hasUser ? USER_ENV : PASSWORD_ENV)
              + " is set)");
    }
    if (!dev && DEFAULT_USER.equals(user) && DEFAULT_PASSWORD.equals(password)) {
      throw new IllegalStateException(
          "the default admin/admin console login is only allowed with " + DEV_ENV + "=true");
    }
    if (!dev && password.length() < MIN_PASSWORD_LENGTH) {
      throw new IllegalStateException(
          PASSWORD_ENV + " must have at least " + MIN_PASSWORD_LENGTH + " characters");
    }
    return new ConsoleCredentials(user, password, dev);
  }

  /**
   * Literal loopback names only: nothing is resolved, so DNS cannot turn a name into a public
   * address.
   */
  static boolean loopback(String host) {
    String h = host.toLowerCase(java.util.Locale.ROOT);
    return h.equals("localhost")
        || h.equals("::1")
        || h.equals("[::1]")
        || h.matches("127(\\.\\d{1,3}){3}");
  }

  String user() {
    return user;
  }

  /**
   * @return whether the development login (admin/admin) or the development flag is in use
   */
  boolean development() {
    return development;
  }

  /** Constant-time check; zeroizes {@code password}. */
  boolean matches(String candidateUser, byte[] password) {
    try {
      byte[] given = digest(password);
      boolean userOk =
          MessageDigest.isEqual(
              user.getBytes(StandardCharsets.UTF_8),
              String.valueOf(candidateUser).getBytes(StandardCharsets.UTF_8));
      return MessageDigest.isEqual(hash, given) & userOk;
    } finally {
      Arrays.fill(password, (byte) 0);
    }
  }

  private byte[] digest(byte[] password) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(salt);
      return md.digest(password);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  private static String trim(String s) {
    return s == null ? "" : s.trim();
  }

  @Override
  public String toString() {
    return "ConsoleCredentials[user=" + user + (development ? ", development" : "") + "]";
  }
}
