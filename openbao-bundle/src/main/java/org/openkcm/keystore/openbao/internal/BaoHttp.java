package org.openkcm.keystore.openbao.internal;

import com.google.gson.JsonObject;
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
import java.util.concurrent.Executor;
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

    /** The node that answered, and where a redirect pointed ({@code null} if none). */
    final URI node;

    final String location;

    Answer(int status, byte[] body, HttpClient.Version version, String tlsProtocol) {
      this(status, body, version, tlsProtocol, null, null);
    }

    Answer(
        int status,
        byte[] body,
        HttpClient.Version version,
        String tlsProtocol,
        URI node,
        String location) {
      this.status = status;
      this.body = body == null ? new byte[0] : body;
      this.version = version;
      this.tlsProtocol = tlsProtocol;
      this.node = node;
      this.location = location;
    }
  }

  /** The pause after every node failed once, growing per round; bounded by the deadline. */
  private static final long ROUND_PAUSE_MILLIS = 100;

  private static final long LEADER_LOOKUP_NANOS = 1_000_000_000L;

  private static final byte[] NO_BODY = new byte[0];

  private final BaoNodes nodes;
  private final String namespace;
  private final ExecutorService executor;
  private final HttpClient http;

  BaoHttp(BaoSettings settings, String name) {
    this.nodes = new BaoNodes(settings.addresses);
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
   * As {@link #send}, but with one node the request runs on the calling thread ({@link
   * HttpClient#send}): nothing is to be followed, and the client then completes the answer on the
   * thread that read it instead of handing it to its executor first, which saves a thread wake-up
   * per request. {@code deadline} bounds the answer's headers; a body that trickles in is bounded
   * only by an interrupt, so this is for keystore calls, which the core always bounds (its deadline
   * interrupts the calling thread, see docs/core.md). With several nodes it is {@link #send}.
   */
  Answer sendHere(
      String method,
      String apiPath,
      String encodedQuery,
      byte[] body,
      String token,
      Duration deadline)
      throws IOException, InterruptedException {
    if (nodes.size() != 1) {
      return send(method, apiPath, encodedQuery, body, token, deadline);
    }
    URI target = nodes.node(0);
    return answer(
        http.send(
            request(target, method, apiPath, encodedQuery, body, token, deadline),
            HttpResponse.BodyHandlers.ofByteArray()),
        target);
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
   * all). With several nodes it follows the cluster (see {@link BaoNodes}) until {@code deadline};
   * while the node it would go to is not known to be the active one, it asks {@code sys/leader}
   * first, so a new key written through another runtime is never missed on a lagging standby.
   */
  CompletableFuture<Answer> sendAsync(
      String method,
      String apiPath,
      String encodedQuery,
      byte[] body,
      String token,
      Duration deadline) {
    Attempt a = new Attempt(method, apiPath, encodedQuery, body, token);
    long end = System.nanoTime() + deadline.toNanos();
    if (!nodes.confirmed()) {
      // after a failover the node we moved to may be a standby answering reads from its own copy:
      // ask which node is active first (until one is known, e.g. during an election)
      return leader(nodes.preferred(), -1, end).thenCompose(n -> attempt(a, n, 0, end));
    }
    return attempt(a, nodes.preferred(), 0, end);
  }

  /** The same request to one given node, never elsewhere (health probes of each node). */
  CompletableFuture<Answer> sendTo(int node, String method, String apiPath, Duration deadline) {
    return exchange(node, new Attempt(method, apiPath, null, null, null), deadline);
  }

  /**
   * @return the cluster's nodes and which one requests go to
   */
  BaoNodes nodes() {
    return nodes;
  }

  private CompletableFuture<Answer> attempt(Attempt a, int node, int tried, long endNanos) {
    long left = endNanos - System.nanoTime();
    return exchange(node, a, Duration.ofNanos(Math.max(left, 1_000_000)))
        .handle(
            (answer, failure) -> {
              BaoNodes.Outcome outcome =
                  failure != null ? BaoNodes.of(unwrap(failure)) : BaoNodes.of(answer);
              boolean again =
                  nodes.size() > 1
                      && (outcome == BaoNodes.Outcome.NOT_SERVED
                          || (outcome == BaoNodes.Outcome.UNKNOWN
                              && BaoNodes.repeatable(a.method)));
              if (outcome != BaoNodes.Outcome.FINAL && nodes.size() > 1) {
                int target = answer == null ? -1 : nodes.indexOf(answer.location);
                if (target >= 0) {
                  nodes.prefer(target);
                } else {
                  nodes.moveOn(node);
                }
              }
              long pause =
                  (tried + 1) % nodes.size() == 0
                      ? ROUND_PAUSE_MILLIS * ((tried + 1) / nodes.size())
                      : 0;
              if (!again || System.nanoTime() + pause * 1_000_000 >= endNanos) {
                return failure != null
                    ? CompletableFuture.<Answer>failedFuture(unwrap(failure))
                    : CompletableFuture.completedFuture(answer);
              }
              Executor later =
                  pause == 0
                      ? executor
                      : CompletableFuture.delayedExecutor(pause, TimeUnit.MILLISECONDS, executor);
              return CompletableFuture.supplyAsync(() -> null, later)
                  .thenCompose(ignored -> leader(nodes.preferred(), node, endNanos))
                  .thenCompose(next -> attempt(a, next, tried + 1, endNanos));
            })
        .thenCompose(f -> f);
  }

  /**
   * Asks {@code node} which node is active ({@code sys/leader}, no token needed) and prefers that
   * one when it is in the list: after a failure the request goes straight to the active node rather
   * than to a standby, whose reads may lag behind the writes the active node acknowledged.
   *
   * @return the node to send to: the active one (unless it is the one that just {@code failed}: a
   *     standby names a killed leader until the election), else {@code node}
   */
  private CompletableFuture<Integer> leader(int node, int failed, long endNanos) {
    long left = endNanos - System.nanoTime();
    Duration bound = Duration.ofNanos(Math.max(1_000_000, Math.min(left / 2, LEADER_LOOKUP_NANOS)));
    return exchange(node, new Attempt("GET", "sys/leader", null, null, null), bound)
        .handle(
            (answer, failure) -> {
              if (failure != null || answer.status != 200) {
                return node;
              }
              try {
                JsonObject said = BaoJson.object(answer.body);
                if (said.has("is_self") && said.get("is_self").getAsBoolean()) {
                  nodes.prefer(node);
                  return node;
                }
                String leader = said.get("leader_address").getAsString();
                int index = nodes.indexOf(leader);
                if (index >= 0 && index != failed) {
                  nodes.prefer(index);
                  return index;
                }
                if (index < 0 && !leader.isEmpty()) {
                  // the cluster names its leader by an address not in our list: stay on this node
                  // (the health probe moves to the node answering as active)
                  nodes.prefer(node);
                }
              } catch (RuntimeException unreadable) {
                // no leader known yet (an election): try the node itself
              }
              return node;
            });
  }

  private CompletableFuture<Answer> exchange(int node, Attempt a, Duration timeout) {
    URI target = nodes.node(node);
    try {
      return http.sendAsync(
              request(target, a.method, a.apiPath, a.query, a.body, a.token, timeout),
              HttpResponse.BodyHandlers.ofByteArray())
          .thenApply(r -> answer(r, target));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }

  /** One request as the caller gave it, sent to one node after another. */
  private static final class Attempt {
    final String method;
    final String apiPath;
    final String query;
    final byte[] body;
    final String token;

    Attempt(String method, String apiPath, String query, byte[] body, String token) {
      this.method = method;
      this.apiPath = apiPath;
      this.query = query;
      this.body = body;
      this.token = token;
    }
  }

  private HttpRequest request(
      URI node,
      String method,
      String apiPath,
      String encodedQuery,
      byte[] body,
      String token,
      Duration deadline) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(
                URI.create(
                    node + "/v1/" + apiPath + (encodedQuery == null ? "" : "?" + encodedQuery)))
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

  private static Answer answer(HttpResponse<byte[]> r, URI node) {
    return new Answer(
        r.statusCode(),
        r.body(),
        r.version(),
        r.sslSession().map(javax.net.ssl.SSLSession::getProtocol).orElse(null),
        node,
        r.statusCode() / 100 == 3 ? r.headers().firstValue("Location").orElse(null) : null);
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
