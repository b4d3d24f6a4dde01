package org.openkcm.keystore.distribution;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * Plain HTTP to the Web Console with Basic authentication (for polling; the browser test uses
 * Chromium).
 */
final class ConsoleClient {
  /** Keeps the console's session cookie like a browser does. */
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(2))
          .cookieHandler(new java.net.CookieManager())
          .build();

  private final String base;

  ConsoleClient(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  HttpResponse<String> get(String path, String user, String password)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).GET();
    if (user != null) {
      String token =
          Base64.getEncoder()
              .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
      b.header("Authorization", "Basic " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * A form POST (application/x-www-form-urlencoded) with an explicit Origin header and no console
   * request token.
   */
  HttpResponse<String> post(String path, String user, String password, String form, String origin)
      throws IOException, InterruptedException {
    return post(path, user, password, form, origin, null);
  }

  /** The same with the console request token (header) a console page would add. */
  HttpResponse<String> post(
      String path, String user, String password, String form, String origin, String requestToken)
      throws IOException, InterruptedException {
    return send(
        path,
        user,
        password,
        "application/x-www-form-urlencoded",
        HttpRequest.BodyPublishers.ofString(form),
        origin,
        requestToken);
  }

  HttpResponse<String> send(
      String path,
      String user,
      String password,
      String contentType,
      HttpRequest.BodyPublisher body,
      String origin,
      String requestToken)
      throws IOException, InterruptedException {
    String token =
        Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(10))
            .header("Authorization", "Basic " + token)
            .header("Content-Type", contentType)
            .header("Origin", origin)
            .POST(body);
    if (requestToken != null) {
      b.header("X-OpenKCM-Token", requestToken);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * @return the request token the console put into a page it served (and the session cookie is
   *     kept)
   */
  String requestToken(String path, String user, String password)
      throws IOException, InterruptedException {
    String page = get(path, user, password).body();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("var t='([A-Za-z0-9_-]+)'").matcher(page);
    if (!m.find()) {
      throw new IllegalStateException("no request token in the page " + path);
    }
    return m.group(1);
  }

  /**
   * @return the status, or -1 while nothing listens yet
   */
  int status(String path, String user, String password) {
    try {
      return get(path, user, password).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }
}
