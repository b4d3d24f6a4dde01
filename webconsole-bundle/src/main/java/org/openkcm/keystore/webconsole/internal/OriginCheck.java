package org.openkcm.keystore.webconsole.internal;

import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.Locale;
import org.openkcm.keystore.model.Limits;

/**
 * Same-origin check of a state-changing request: the {@code Origin} header, else the {@code
 * Referer}, must name the host and port the request was sent to ({@code Host}). A request with
 * neither, or with the opaque origin {@code null} (sandboxed frames, some redirects), is not
 * same-origin.
 */
final class OriginCheck {

  private OriginCheck() {}

  /**
   * @return null when same-origin, else why not (for the log; the values are shown sanitized)
   */
  static String problem(HttpServletRequest request) {
    String host = request.getHeader("Host");
    if (host == null || host.isBlank()) {
      return "no Host header";
    }
    String origin = request.getHeader("Origin");
    String source = origin != null ? origin : request.getHeader("Referer");
    String what = origin != null ? "Origin" : "Referer";
    if (source == null || source.isBlank()) {
      return "neither Origin nor Referer sent";
    }
    String authority = authority(source);
    if (authority == null || !authority.equals(host.trim().toLowerCase(Locale.ROOT))) {
      return what + " " + Limits.printable(source) + " is not " + Limits.printable(host);
    }
    return null;
  }

  /**
   * @return {@code host[:port]} of an http(s) URL, lower case, or null if it is none
   */
  static String authority(String url) {
    try {
      URI u = URI.create(url.trim());
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")
          || u.getRawAuthority() == null
          || u.getRawUserInfo() != null) {
        return null;
      }
      return u.getRawAuthority().toLowerCase(Locale.ROOT);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
