package org.openkcm.keystore.webconsole.internal;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.openkcm.keystore.model.Limits;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guards every Web Console request, Felix's own pages included (an HTTP Whiteboard filter on the
 * console's servlet context, so it runs after the login and before any console servlet):
 *
 * <ul>
 *   <li>security headers on every response ({@link SecurityHeaders});
 *   <li>a request that is not GET or HEAD must be same-origin ({@link OriginCheck}) and carry the
 *       session's request token ({@link RequestTokens}) in a header or the query, else 403 and
 *       nothing happens;
 *   <li>bundle install/update/uninstall only when enabled ({@link BundleActions});
 *   <li>HTML pages get the script that adds the token to what they send ({@link TokenScript}).
 * </ul>
 */
@Component(
    service = Filter.class,
    property = {
      "osgi.http.whiteboard.filter.pattern=/*",
      "osgi.http.whiteboard.context.select=(osgi.http.whiteboard.context.name=org.apache.felix.webconsole)",
      "service.ranking:Integer=1000"
    })
public final class ConsoleRequestGuard implements Filter {
  private static final Logger LOG = LoggerFactory.getLogger(ConsoleRequestGuard.class);

  private final RequestTokens tokens = new RequestTokens();
  private final BundleActions bundles;

  public ConsoleRequestGuard() {
    this(BundleActions.from(System.getenv()));
  }

  ConsoleRequestGuard(BundleActions bundles) {
    this.bundles = bundles;
    if (bundles.installEnabled()) {
      LOG.warn(
          "Bundle installation through the Web Console is enabled ({}=true)", BundleActions.ENV);
    }
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    HttpServletRequest request = (HttpServletRequest) req;
    HttpServletResponse response = (HttpServletResponse) res;
    SecurityHeaders.apply(response);
    String session = sessionOf(request);
    if (!isSafe(request.getMethod())) {
      String problem = refusal(request, session);
      if (problem != null) {
        LOG.warn(
            "Refused console {} {} from {}: {}",
            request.getMethod(),
            Limits.printable(request.getRequestURI()),
            request.getRemoteAddr(),
            problem);
        response.setStatus(HttpServletResponse.SC_FORBIDDEN);
        response.setContentType("text/plain;charset=utf-8");
        response.getWriter().write("Refused: " + problem + "\n");
        return;
      }
    }
    if (!RequestTokens.wellFormed(session)) {
      session = tokens.newSession();
      response.addHeader(
          "Set-Cookie",
          RequestTokens.COOKIE
              + "="
              + session
              + "; Path="
              + cookiePath(request)
              + "; HttpOnly; SameSite=Strict"
              + (request.isSecure() ? "; Secure" : ""));
    }
    InjectingResponse wrapped = new InjectingResponse(response, tokens.tokenOf(session));
    chain.doFilter(request, wrapped);
    wrapped.finish();
  }

  private String refusal(HttpServletRequest request, String session) {
    String origin = OriginCheck.problem(request);
    if (origin != null) {
      return "not same-origin (" + origin + ")";
    }
    String token = request.getHeader(RequestTokens.HEADER);
    if (token == null) {
      token = queryParameter(request.getQueryString(), RequestTokens.PARAMETER);
    }
    if (!tokens.valid(session, token)) {
      return "missing or invalid console request token (reload the page)";
    }
    return bundles.problem(pathInConsole(request), request);
  }

  static boolean isSafe(String method) {
    return "GET".equals(method) || "HEAD".equals(method);
  }

  private static String sessionOf(HttpServletRequest request) {
    Cookie[] cookies = request.getCookies();
    if (cookies != null) {
      for (Cookie c : cookies) {
        if (RequestTokens.COOKIE.equals(c.getName())) {
          return c.getValue();
        }
      }
    }
    return null;
  }

  private static String cookiePath(HttpServletRequest request) {
    String path = request.getContextPath();
    return path == null || path.isEmpty() ? "/" : path;
  }

  private static String pathInConsole(HttpServletRequest request) {
    String uri = request.getRequestURI();
    String context = request.getContextPath() == null ? "" : request.getContextPath();
    return uri.startsWith(context) ? uri.substring(context.length()) : uri;
  }

  /** Reads one parameter from the raw query only, so a form body is never consumed here. */
  static String queryParameter(String query, String name) {
    if (query == null) {
      return null;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).equals(name)) {
        return java.net.URLDecoder.decode(
            pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
      }
    }
    return null;
  }
}
