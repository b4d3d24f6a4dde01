package org.openkcm.keystore.webconsole.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The console's per-session request tokens. A session is a random id in an HttpOnly,
 * SameSite=Strict cookie; its token is an HMAC of that id under a key that lives only in this
 * runtime's memory. Pages learn the token from the HTML the console serves them (a cross-origin
 * page can read neither that HTML nor the HttpOnly cookie), and every state-changing request must
 * echo it. A restart invalidates every token; nothing is stored per session.
 */
final class RequestTokens {
  static final String COOKIE = "openkcm-console-session";
  static final String HEADER = "X-OpenKCM-Token";
  static final String PARAMETER = "openkcm-token";
  private static final int SESSION_BYTES = 24;

  private final SecureRandom random = new SecureRandom();
  private final SecretKeySpec key;

  RequestTokens() {
    byte[] k = new byte[32];
    random.nextBytes(k);
    key = new SecretKeySpec(k, "HmacSHA256");
    java.util.Arrays.fill(k, (byte) 0);
  }

  String newSession() {
    byte[] b = new byte[SESSION_BYTES];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /**
   * @return whether {@code session} looks like an id this class issues (any runtime)
   */
  static boolean wellFormed(String session) {
    return session != null && session.matches("[A-Za-z0-9_-]{32}");
  }

  String tokenOf(String session) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      byte[] t = mac.doFinal(("openkcm-console:" + session).getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(t);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 missing from the JDK", e);
    }
  }

  /** Constant-time check of a token echoed by the client against its session cookie. */
  boolean valid(String session, String token) {
    if (!wellFormed(session) || token == null || token.isEmpty()) {
      return false;
    }
    return MessageDigest.isEqual(
        tokenOf(session).getBytes(StandardCharsets.US_ASCII),
        token.getBytes(StandardCharsets.US_ASCII));
  }
}
