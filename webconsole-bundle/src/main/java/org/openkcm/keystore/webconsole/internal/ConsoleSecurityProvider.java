package org.openkcm.keystore.webconsole.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.apache.felix.webconsole.spi.SecurityProvider;

/**
 * HTTP Basic login of the Web Console against {@link ConsoleCredentials}. The runtime's
 * config.properties names this provider in {@code felix.webconsole.security.providers}, so the
 * console serves nothing until it is registered and its built-in admin/admin provider is never
 * used.
 */
final class ConsoleSecurityProvider implements SecurityProvider {
  static final String ID = "openkcm";
  private static final String REALM = "OpenKCM Keystore";
  // AUTHENTICATION_TYPE / REMOTE_USER of the servlet whiteboard 2.0 (no compile dependency)
  private static final String AUTHENTICATION_TYPE = "org.osgi.service.servlet.authentication.type";
  static final String REMOTE_USER = "org.osgi.service.servlet.remote.user";

  private final ConsoleCredentials credentials;
  private final LoginThrottle throttle;

  ConsoleSecurityProvider(ConsoleCredentials credentials) {
    this(credentials, new LoginThrottle(System::currentTimeMillis));
  }

  ConsoleSecurityProvider(ConsoleCredentials credentials, LoginThrottle throttle) {
    this.credentials = credentials;
    this.throttle = throttle;
  }

  @Override
  public Object authenticate(HttpServletRequest request, HttpServletResponse response) {
    String client = String.valueOf(request.getRemoteAddr());
    SecurityHeaders.apply(response);
    long wait = throttle.retryAfterMillis(client);
    if (wait > 0) {
      answer(response, 429, wait);
      return null;
    }
    String header = request.getHeader("Authorization");
    String user = check(header);
    if (user != null) {
      throttle.succeeded(client);
      request.setAttribute(AUTHENTICATION_TYPE, HttpServletRequest.BASIC_AUTH);
      request.setAttribute(REMOTE_USER, user);
      return user;
    }
    if (header != null) {
      throttle.failed(client);
    }
    answer(response, HttpServletResponse.SC_UNAUTHORIZED, 0);
    return null;
  }

  /** 401 with the Basic challenge, or 429 with Retry-After while the client is locked out. */
  private static void answer(HttpServletResponse response, int status, long retryAfterMillis) {
    try {
      if (status == 429) {
        response.setHeader("Retry-After", Long.toString((retryAfterMillis + 999) / 1000));
      } else {
        response.setHeader("WWW-Authenticate", "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");
      }
      response.setStatus(status);
      response.setContentLength(0);
      response.flushBuffer();
    } catch (IOException e) {
      // the client went away; nothing to tell it
    }
  }

  /**
   * @return the user name when the header carries the right credentials, else null
   */
  String check(String header) {
    if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(header.substring(6).trim());
    } catch (IllegalArgumentException e) {
      return null;
    }
    try {
      int colon = indexOf(decoded, (byte) ':');
      if (colon < 0) {
        return null;
      }
      String user = new String(decoded, 0, colon, StandardCharsets.UTF_8);
      byte[] password = Arrays.copyOfRange(decoded, colon + 1, decoded.length);
      return credentials.matches(user, password) ? user : null;
    } finally {
      Arrays.fill(decoded, (byte) 0);
    }
  }

  private static int indexOf(byte[] bytes, byte b) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }

  /** The one login may do everything in the console. */
  @Override
  public boolean authorize(Object user, String role) {
    return user != null;
  }

  @Override
  public void logout(HttpServletRequest request, HttpServletResponse response) {
    // Basic authentication has no server-side session to end
  }
}
