package org.openkcm.keystore.webconsole.internal;

import jakarta.servlet.http.HttpServletResponse;

/**
 * Headers every console response carries, the login challenge included: no framing (clickjacking of
 * actions such as Migrate), no content sniffing, no Referer to other origins, no caching of pages
 * that carry a request token.
 */
final class SecurityHeaders {
  static final String CSP =
      "frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'";

  private SecurityHeaders() {}

  static void apply(HttpServletResponse response) {
    response.setHeader("X-Frame-Options", "DENY");
    response.setHeader("Content-Security-Policy", CSP);
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.setHeader("Referrer-Policy", "same-origin");
    response.setHeader("Cache-Control", "no-store");
  }
}
