package org.openkcm.keystore.openbao.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeystoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to OpenBao: ONE {@link BaoHttp} client (its own HttpClient and executor, stopped
 * on close) and the current authenticated {@link BaoSession}. A session is immutable; a renewed
 * login is published by swapping one reference, so requests in flight keep the token they started
 * with.
 */
final class BaoConnection implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BaoConnection.class);

  final BaoSettings settings;
  final String name;
  private final BaoHttp http;
  private final AtomicReference<BaoSession> session = new AtomicReference<>();
  private final AppRoleLogin appRole;
  private volatile boolean closed;

  BaoConnection(BaoSettings settings, String name) {
    this.settings = settings;
    this.name = name;
    this.http = new BaoHttp(settings, name);
    if (settings.authMethod == BaoSettings.AuthMethod.APPROLE) {
      this.appRole = new AppRoleLogin(this, session);
    } else {
      this.appRole = null;
      session.set(new BaoSession(settings.token, false, 0));
    }
  }

  /**
   * @return the current session, logging in first when AppRole has none (or it expired).
   */
  BaoSession session() throws KeystoreException {
    if (closed) {
      throw new BackendUnavailableException(
          name, "connection closed (component deactivated)", null);
    }
    BaoSession s = session.get();
    if (s != null && !s.expired()) {
      return s;
    }
    if (appRole == null) {
      return s;
    }
    return appRole.loginNow();
  }

  /**
   * @return the HTTP client (its nodes, and per-node requests for health probes)
   */
  BaoHttp http() {
    return http;
  }

  /**
   * @return the AppRole upkeep, {@code null} for token auth.
   */
  AppRoleLogin appRole() {
    return appRole;
  }

  /**
   * One request with the current session's token, bounded by the read timeout.
   *
   * @param what names the operation and path for error messages (never a token or a body)
   * @throws KeystoreException (typed by {@link BaoErrors#transport}) when no HTTP answer came back
   */
  BaoHttp.Answer call(
      String method, String apiPath, String encodedQuery, byte[] body, KeyRef key, String what)
      throws KeystoreException {
    return exchange(
        method, apiPath, encodedQuery, body, session().token, settings.readTimeout, key, what);
  }

  /**
   * As {@link #call}, on the calling thread ({@link BaoHttp#sendHere}): for the keystore's reads,
   * which the core bounds by interrupting the caller at its deadline.
   */
  BaoHttp.Answer callHere(
      String method, String apiPath, String encodedQuery, KeyRef key, String what)
      throws KeystoreException {
    if (closed) {
      throw new BackendUnavailableException(
          name, "connection closed (component deactivated)", null);
    }
    try {
      return http.sendHere(
          method, apiPath, encodedQuery, null, session().token, settings.readTimeout);
    } catch (IOException | InterruptedException | RuntimeException e) {
      throw BaoErrors.transport(name, key, what, e);
    }
  }

  /**
   * Starts one request with the current session's token without waiting for it; {@link #await} its
   * answer. A failure to start (closed, no session) is the returned future's failure.
   */
  CompletableFuture<BaoHttp.Answer> start(String method, String apiPath, byte[] body) {
    try {
      if (closed) {
        throw new BackendUnavailableException(
            name, "connection closed (component deactivated)", null);
      }
      return http.sendAsync(method, apiPath, null, body, session().token, settings.readTimeout);
    } catch (KeystoreException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Waits for a started request. The request's own deadline bounds the wait; an interrupt cancels
   * it.
   *
   * @throws KeystoreException typed like {@link #call} when no HTTP answer came back
   */
  BaoHttp.Answer await(CompletableFuture<BaoHttp.Answer> inFlight, KeyRef key, String what)
      throws KeystoreException {
    if (inFlight.isCompletedExceptionally()) {
      try {
        inFlight.join();
      } catch (CompletionException e) {
        if (e.getCause() instanceof KeystoreException) {
          // could not even start (closed, AppRole login refused): typed already
          throw (KeystoreException) e.getCause();
        }
      } catch (java.util.concurrent.CancellationException cancelled) {
        // mapped below like any other failure
      }
    }
    try {
      return BaoHttp.await(inFlight, settings.readTimeout);
    } catch (IOException | InterruptedException | RuntimeException e) {
      throw BaoErrors.transport(name, key, what, e);
    }
  }

  /** One request without a token (health, login), bounded by {@code deadline}. */
  BaoHttp.Answer anonymous(
      String method, String apiPath, byte[] body, Duration deadline, String what)
      throws KeystoreException {
    return exchange(method, apiPath, null, body, null, deadline, null, what);
  }

  /** One request with the given token (token renewal), bounded by the read timeout. */
  BaoHttp.Answer withToken(String method, String apiPath, byte[] body, String token, String what)
      throws KeystoreException {
    return exchange(method, apiPath, null, body, token, settings.readTimeout, null, what);
  }

  private BaoHttp.Answer exchange(
      String method,
      String apiPath,
      String query,
      byte[] body,
      String token,
      Duration deadline,
      KeyRef key,
      String what)
      throws KeystoreException {
    if (closed) {
      throw new BackendUnavailableException(
          name, "connection closed (component deactivated)", null);
    }
    try {
      return http.send(method, apiPath, query, body, token, deadline);
    } catch (IOException | InterruptedException | RuntimeException e) {
      throw BaoErrors.transport(name, key, what, e);
    }
  }

  @Override
  public void close() {
    closed = true;
    if (appRole != null) {
      appRole.close();
    }
    session.set(null);
    http.close();
    LOG.debug("OpenBao connection {} closed", name);
  }

  static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
