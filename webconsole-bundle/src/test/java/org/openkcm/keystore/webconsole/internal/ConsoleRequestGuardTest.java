package org.openkcm.keystore.webconsole.internal;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.FilterChain;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The guard in front of every console page (Felix's configuration and bundle pages included): a
 * state-changing request reaches the page only when same-origin and carrying the session's token;
 * bundle install/uninstall is off by default; every response has the security headers.
 */
class ConsoleRequestGuardTest {
  private final ConsoleRequestGuard guard = new ConsoleRequestGuard(new BundleActions(false));
  private final AtomicInteger reached = new AtomicInteger();
  private final FilterChain chain = (req, res) -> reached.incrementAndGet();

  /**
   * Does a GET as the console page would and returns the session cookie and the token the page got.
   */
  private String[] session() throws Exception {
    FakeHttp get = new FakeHttp();
    get.headers.put("Host", "127.0.0.1:8080");
    FilterChain page =
        (req, res) -> {
          res.setContentType("text/html;charset=utf-8");
          res.getWriter()
              .write("<!DOCTYPE html><html><head><title>x</title></head><body>page</body></html>");
        };
    guard.doFilter(get.request(), get.response(), page);
    String cookie = get.responseHeaders.get("Set-Cookie");
    assertThat(cookie)
        .contains("HttpOnly")
        .contains("SameSite=Strict")
        .contains("Path=/system/console");
    String id = cookie.substring(cookie.indexOf('=') + 1, cookie.indexOf(';'));
    String html = get.body.toString();
    assertThat(html)
        .as("the page got the token script right after <head>")
        .contains("<head><script>(function(){var t='");
    String token = html.replaceAll("(?s).*var t='([^']+)'.*", "$1");
    assertThat(html).endsWith("<body>page</body></html>");
    return new String[] {id, token};
  }

  private FakeHttp post(String origin, String cookie, String token) {
    FakeHttp post = new FakeHttp();
    post.method = "POST";
    post.headers.put("Host", "127.0.0.1:8080");
    if (origin != null) {
      post.headers.put("Origin", origin);
    }
    post.cookie = cookie;
    if (token != null) {
      post.headers.put(RequestTokens.HEADER, token);
    }
    return post;
  }

  @Test
  void crossOriginPostToAStockPageIsRefusedEvenWithAValidToken() throws Exception {
    String[] s = session();
    for (String origin :
        new String[] {
          "http://localhost:9999", "http://127.0.0.1:9999", "null", "http://evil.example"
        }) {
      FakeHttp post = post(origin, s[0], s[1]);
      guard.doFilter(post.request(), post.response(), chain);
      assertThat(post.status).as(origin).isEqualTo(403);
      assertThat(post.body.toString()).contains("not same-origin");
    }
    FakeHttp noOrigin = post(null, s[0], s[1]);
    guard.doFilter(noOrigin.request(), noOrigin.response(), chain);
    assertThat(noOrigin.status).isEqualTo(403);
    assertThat(reached).as("no page saw any of these requests").hasValue(0);
  }

  @Test
  void sameOriginPostNeedsTheTokenOfItsOwnSession() throws Exception {
    String[] s = session();
    String[] other = session();
    for (FakeHttp post :
        new FakeHttp[] {
          post("http://127.0.0.1:8080", s[0], null),
          post("http://127.0.0.1:8080", s[0], "forged"),
          post("http://127.0.0.1:8080", s[0], other[1]),
          post("http://127.0.0.1:8080", null, s[1])
        }) {
      guard.doFilter(post.request(), post.response(), chain);
      assertThat(post.status).isEqualTo(403);
      assertThat(post.body.toString()).contains("request token");
    }
    assertThat(reached).hasValue(0);
    FakeHttp ok = post("http://127.0.0.1:8080", s[0], s[1]);
    guard.doFilter(ok.request(), ok.response(), chain);
    FakeHttp viaQuery = post(null, s[0], null);
    viaQuery.headers.put("Referer", "http://127.0.0.1:8080/system/console/bundles");
    viaQuery.query = "a=1&" + RequestTokens.PARAMETER + "=" + s[1];
    guard.doFilter(viaQuery.request(), viaQuery.response(), chain);
    assertThat(reached).as("header token, and query token with a same-origin Referer").hasValue(2);
  }

  @Test
  void bundleInstallUpdateAndUninstallAreOffByDefaultStartStopStay() throws Exception {
    String[] s = session();
    FakeHttp install = post("http://127.0.0.1:8080", s[0], s[1]);
    install.uri = "/system/console/bundles";
    install.contentType = "multipart/form-data; boundary=x";
    guard.doFilter(install.request(), install.response(), chain);
    assertThat(install.status).isEqualTo(403);
    assertThat(install.body.toString()).contains("OPENKCM_CONSOLE_BUNDLE_INSTALL=true");
    for (String action : new String[] {"uninstall", "update", "install", "refreshPackages"}) {
      FakeHttp post = post("http://127.0.0.1:8080", s[0], s[1]);
      post.uri = "/system/console/bundles/12";
      post.params.put("action", action);
      guard.doFilter(post.request(), post.response(), chain);
      assertThat(post.status).as(action).isEqualTo(403);
    }
    assertThat(reached).hasValue(0);
    FakeHttp stop = post("http://127.0.0.1:8080", s[0], s[1]);
    stop.uri = "/system/console/bundles/12";
    stop.params.put("action", "stop");
    guard.doFilter(stop.request(), stop.response(), chain);
    assertThat(reached).hasValue(1);

    ConsoleRequestGuard enabled = new ConsoleRequestGuard(new BundleActions(true));
    FakeHttp get = new FakeHttp();
    get.headers.put("Host", "127.0.0.1:8080");
    enabled.doFilter(get.request(), get.response(), chain);
    String cookie = get.responseHeaders.get("Set-Cookie");
    String id = cookie.substring(cookie.indexOf('=') + 1, cookie.indexOf(';'));
    FakeHttp allowed = post("http://127.0.0.1:8080", id, null);
    allowed.uri = "/system/console/bundles";
    allowed.contentType = "multipart/form-data; boundary=x";
    allowed.query = RequestTokens.PARAMETER + "=" + new RequestTokens().tokenOf(id);
    enabled.doFilter(allowed.request(), allowed.response(), chain);
    assertThat(allowed.status).as("a token of another runtime's key is worthless").isEqualTo(403);
  }

  @Test
  void everyResponseHasTheSecurityHeaders() throws Exception {
    FakeHttp get = new FakeHttp();
    get.headers.put("Host", "127.0.0.1:8080");
    guard.doFilter(get.request(), get.response(), chain);
    assertThat(get.responseHeaders)
        .containsEntry("X-Frame-Options", "DENY")
        .containsEntry("X-Content-Type-Options", "nosniff")
        .containsEntry("Referrer-Policy", "same-origin");
    assertThat(get.responseHeaders.get("Content-Security-Policy"))
        .contains("frame-ancestors 'none'");
    FakeHttp refused = post("http://evil.example", null, null);
    guard.doFilter(refused.request(), refused.response(), chain);
    assertThat(refused.responseHeaders).containsEntry("X-Frame-Options", "DENY");
  }
}
