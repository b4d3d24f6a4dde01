package org.openkcm.keystore.openbao.internal;

import com.google.gson.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.PermissionDeniedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AppRole login and token upkeep: renews at two thirds of the token's TTL, logs in afresh when the
 * token cannot be renewed (not renewable, at its max TTL, revoked), and publishes each new session
 * by swapping the connection's session reference, so requests in flight keep a consistent config.
 */
final class AppRoleLogin implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AppRoleLogin.class);
  private static final long RETRY_MILLIS = 2000;

  private final BaoConnection conn;
  private final AtomicReference<BaoSession> session;
  private final ScheduledExecutorService timer;
  private final Object lock = new Object();

  /** Successful logins and renewals, for operators' debugging and for tests. */
  final java.util.concurrent.atomic.AtomicInteger logins =
      new java.util.concurrent.atomic.AtomicInteger();

  final java.util.concurrent.atomic.AtomicInteger renewals =
      new java.util.concurrent.atomic.AtomicInteger();

  AppRoleLogin(BaoConnection conn, AtomicReference<BaoSession> session) {
    this.conn = conn;
    this.session = session;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            BaoConnection.daemonThreads("openbao-" + conn.name + "-approle"));
  }

  /** Logs in unless another caller just did; used when there is no live session. */
  BaoSession loginNow() throws KeystoreException {
    synchronized (lock) {
      BaoSession s = session.get();
      if (s != null && !s.expired()) {
        return s;
      }
      BaoSession fresh = login();
      session.set(fresh);
      schedule(fresh, renewDelayMillis(fresh));
      return fresh;
    }
  }

  private BaoSession login() throws KeystoreException {
    String api = "auth/" + conn.settings.approleMount + "/login";
    String what = "AppRole login at " + api;
    JsonObject credentials = new JsonObject();
    credentials.addProperty("role_id", conn.settings.roleId);
    credentials.addProperty("secret_id", conn.settings.secretId);
    BaoHttp.Answer r =
        conn.anonymous("POST", api, BaoJson.bytes(credentials), conn.settings.readTimeout, what);
    if (r.status == 400 || r.status == 403) {
      // OpenBao answers a wrong role/secret id with 400 "invalid role or secret ID"
      throw new PermissionDeniedException(
          null, conn.name, what + " refused (HTTP " + r.status + ")");
    }
    if (r.status != 200) {
      throw BaoErrors.fromStatus(conn.name, null, what, r.status, r.body);
    }
    BaoSession s = session(r, what);
    LOG.info("OpenBao {}: AppRole login, token valid for {} s", conn.name, s.ttlSeconds);
    logins.incrementAndGet();
    return s;
  }

  /**
   * @return the session an auth answer (login or renew-self) describes
   */
  private BaoSession session(BaoHttp.Answer r, String what) throws KeystoreException {
    String token;
    JsonObject auth;
    try {
      auth = BaoJson.child(BaoJson.object(r.body), "auth");
      token = BaoJson.string(auth, "client_token", null);
    } catch (RuntimeException e) {
      throw new BackendUnavailableException(
          conn.name, what + " returned an unexpected answer", null);
    }
    if (token == null || token.isEmpty()) {
      throw new BackendUnavailableException(conn.name, what + " returned no token", null);
    }
    try {
      return new BaoSession(
          token,
          Boolean.parseBoolean(BaoJson.string(auth, "renewable", "false")),
          BaoJson.number(auth, "lease_duration", 0));
    } catch (RuntimeException e) {
      throw new BackendUnavailableException(
          conn.name, what + " returned an unexpected answer", null);
    }
  }

  private void refresh(BaoSession current) {
    if (session.get() != current) {
      return;
    }
    BaoSession next = null;
    try {
      next = current.renewable ? renew(current) : null;
    } catch (KeystoreException e) {
      LOG.info(
          "OpenBao {}: token renewal failed ({}), logging in again", conn.name, e.getMessage());
    }
    try {
      if (next == null) {
        next = login();
      }
      synchronized (lock) {
        if (session.compareAndSet(current, next)) {
          schedule(next, renewDelayMillis(next));
        }
      }
    } catch (KeystoreException e) {
      LOG.warn(
          "OpenBao {}: cannot refresh the AppRole token ({}); retrying", conn.name, e.getMessage());
      if (current.expired()) {
        session.compareAndSet(current, null);
      }
      schedule(current, RETRY_MILLIS);
    }
  }

  /**
   * @return the renewed session, or {@code null} when the token is at its max TTL and needs a new
   *     login.
   */
  private BaoSession renew(BaoSession s) throws KeystoreException {
    String what = "token renewal at auth/token/renew-self";
    BaoHttp.Answer r =
        conn.withToken(
            "POST",
            "auth/token/renew-self",
            "{}".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
            s.token,
            what);
    if (r.status != 200) {
      throw BaoErrors.fromStatus(conn.name, null, what, r.status, r.body);
    }
    BaoSession renewed = session(r, what);
    if (renewed.ttlSeconds < Math.max(2, s.ttlSeconds / 3)) {
      return null;
    }
    renewals.incrementAndGet();
    return renewed;
  }

  private static long renewDelayMillis(BaoSession s) {
    if (s.expiresAt == null) {
      return -1;
    }
    long left = Duration.between(Instant.now(), s.expiresAt).toMillis();
    return Math.max(200, left * 2 / 3);
  }

  private void schedule(BaoSession s, long delayMillis) {
    if (delayMillis < 0 || timer.isShutdown()) {
      return;
    }
    try {
      timer.schedule(() -> refresh(s), delayMillis, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      // closed concurrently: nothing to renew any more
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
