package org.openkcm.keystore.webconsole.internal;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;

/** Minimal request/response stand-ins (dynamic proxies) for the console's servlet-level guards. */
final class FakeHttp {
  final Map<String, String> headers = new HashMap<>();
  final Map<String, String> params = new HashMap<>();
  final Map<String, String> responseHeaders = new HashMap<>();
  final StringWriter body = new StringWriter();
  String method = "GET";
  String uri = "/system/console/configMgr/x";
  String query;
  String contentType = "application/x-www-form-urlencoded";
  String cookie;
  String remote = "127.0.0.1";
  int status = 200;

  HttpServletRequest request() {
    return (HttpServletRequest)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {HttpServletRequest.class},
            (p, m, a) ->
                switch (m.getName()) {
                  case "getMethod" -> method;
                  case "getHeader" -> headers.get((String) a[0]);
                  case "getParameter" -> params.get((String) a[0]);
                  case "getRequestURI" -> uri;
                  case "getContextPath" -> "/system/console";
                  case "getQueryString" -> query;
                  case "getContentType" -> contentType;
                  case "getRemoteAddr" -> remote;
                  case "isSecure" -> false;
                  case "getCookies" ->
                      cookie == null
                          ? null
                          : new Cookie[] {new Cookie(RequestTokens.COOKIE, cookie)};
                  case "setAttribute" -> null;
                  default -> throw new UnsupportedOperationException(m.getName());
                });
  }

  HttpServletResponse response() {
    PrintWriter writer = new PrintWriter(body, true);
    return (HttpServletResponse)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {HttpServletResponse.class},
            (p, m, a) ->
                switch (m.getName()) {
                  case "setHeader", "addHeader" -> {
                    responseHeaders.merge((String) a[0], (String) a[1], (x, y) -> x + "\n" + y);
                    yield null;
                  }
                  case "setStatus" -> {
                    status = (Integer) a[0];
                    yield null;
                  }
                  case "getWriter" -> writer;
                  case "getOutputStream" ->
                      new jakarta.servlet.ServletOutputStream() {
                        @Override
                        public void write(int b) {
                          body.write(b);
                        }

                        @Override
                        public boolean isReady() {
                          return true;
                        }

                        @Override
                        public void setWriteListener(jakarta.servlet.WriteListener l) {}
                      };
                  case "getContentType" -> responseHeaders.get("Content-Type");
                  case "setContentType" -> {
                    responseHeaders.put("Content-Type", (String) a[0]);
                    yield null;
                  }
                  case "getCharacterEncoding" -> "utf-8";
                  case "setContentLength", "flushBuffer" -> null;
                  case "isCommitted" -> false;
                  default -> throw new UnsupportedOperationException(m.getName());
                });
  }
}
