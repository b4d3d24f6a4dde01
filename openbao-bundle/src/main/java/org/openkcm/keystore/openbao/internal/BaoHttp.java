package org.openkcm.keystore.openbao.internal;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLParameters;

/**
 * The one HTTP client of the bundle: KV, Transit, health and AppRole all go through it. One shared
 * {@link HttpClient} per connection on our own executor (stopped on {@link #close()}, since Java
 * 17's client has no close()), so connections are pooled and reused; HTTP/2 is offered over TLS
 * (ALPN: the server picks, OpenBao answers h2) and plain HTTP stays HTTP/1.1 (no h2c upgrade
 * dance); TLS 1.3 and 1.2 are allowed; every request carries its own deadline. Nothing is read from
 * the environment or from {@code ~/.vault-token}: the token is always the caller's.
 */
final class BaoHttp implements AutoCloseable {
  /** An HTTP answer: status and body bytes (never decoded through the platform charset). */
  static final class Answer {
    final int status;
    final byte[] body;

    /** The HTTP version the exchange used, and the TLS protocol ({@code null} over plain HTTP). */
    final HttpClient.Version version;

    final String tlsProtocol;

    Answer(int status, byte[] body, HttpClient.Version version, String tlsProtocol) {
      this.status = status;
      this.body = body == null ? new byte[0] : body;
      this.version = version;
      this.tlsProtocol = tlsProtocol;
    }
  }

  private static final byte[] NO_BODY = new byte[0];

  private final String base;
  private final String namespace;
  private final ExecutorService executor;
  private final HttpClient http;

  BaoHttp(BaoSettings settings, String name) {
    this.base = settings.address + "/v1/";
    this.namespace = settings.namespace;
    this.executor =
        new ThreadPoolExecutor(
            0,
            64,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            BaoConnection.daemonThreads("openbao-" + name + "-http"),
            new ThreadPoolExecutor.CallerRunsPolicy());
    boolean tls = "https".equalsIgnoreCase(settings.address.getScheme());
    SSLParameters tlsParameters = new SSLParameters();
    tlsParameters.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
    this.http =
        HttpClient.newBuilder()
            .executor(executor)
            .version(tls ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(settings.connectTimeout)
            .sslContext(TlsContexts.create(settings))
            .sslParameters(tlsParameters)
            .build();
  }

  /**
   * Sends one request and waits for its whole answer, at most {@code deadline}.
   *
   * @param method GET, POST, DELETE or LIST-as-GET
   * @param apiPath the path below {@code /v1/}, already safe (segments validated by {@link
   *     PathLayout})
   * @param encodedQuery the query exactly as it must arrive (percent-encoded by the caller), or
   *     {@code null}
   * @param body the JSON body for POST, or {@code null}
   * @param token the X-Vault-Token, {@code null} for unauthenticated calls (health, login)
   */
  Answer send(
      String method,
      String apiPath,
      String encodedQuery,
      byte[] body,
      String token,
      Duration deadline)
      throws IOException, InterruptedException {
    return await(sendAsync(method, apiPath, encodedQuery, body, token, deadline), deadline);
  }

  /**
   * Waits for an answer, at most {@code deadline}: the request's own timeout ends at the response
   * headers, this bounds the body too (a server trickling its answer cannot hold the caller).
   */
  static Answer await(CompletableFuture<Answer> inFlight, Duration deadline)
      throws IOException, InterruptedException {
    try {
      return inFlight.get(deadline.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      inFlight.cancel(true);
      throw e;
    } catch (TimeoutException e) {
      inFlight.cancel(true);
      throw new HttpTimeoutException("no whole answer within " + deadline.toMillis() + " ms");
    } catch (ExecutionException e) {
      Throwable cause =
          e.getCause() instanceof CompletionException && e.getCause().getCause() != null
              ? e.getCause().getCause()
              : e.getCause();
      if (cause instanceof IOException) {
        throw (IOException) cause;
      }
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      throw new IOException(
          cause == null ? "request failed" : cause.getClass().getSimpleName(), cause);
    }
  }

  /**
   * The same request sent without waiting, so several can be in flight at once (one round trip for
   * all).
   */
  CompletableFuture<Answer> sendAsync(
      String method,
      String apiPath,
      String encodedQuery,
      byte[] body,
      String token,
      Duration deadline) {
    return http.sendAsync(
            request(method, apiPath, encodedQuery, body, token, deadline),
            HttpResponse.BodyHandlers.ofByteArray())
        .thenApply(BaoHttp::answer);
  }

  private HttpRequest request(
      String method,
      String apiPath,
      String encodedQuery,
      byte[] body,
      String token,
      Duration deadline) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(
                URI.create(base + apiPath + (encodedQuery == null ? "" : "?" + encodedQuery)))
            .timeout(deadline)
            .header("X-Vault-Request", "true");
    if (token != null) {
      b.header("X-Vault-Token", token);
    }
    if (namespace != null) {
      b.header("X-Vault-Namespace", namespace);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    b.method(
        method,
        body == null && !"POST".equals(method)
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body == null ? NO_BODY : body));
    return b.build();
  }

  private static Answer answer(HttpResponse<byte[]> r) {
    return new Answer(
        r.statusCode(),
        r.body(),
        r.version(),
        r.sslSession().map(javax.net.ssl.SSLSession::getProtocol).orElse(null));
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
