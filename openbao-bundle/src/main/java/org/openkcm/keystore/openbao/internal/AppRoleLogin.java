package org.openkcm.keystore.openbao.internal;

import io.github.jopenlibs.vault.VaultException;
import io.github.jopenlibs.vault.response.AuthResponse;
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
 * AppRole login and token upkeep: renews at two thirds of the token's TTL, logs in afresh when the token
 * cannot be renewed (not renewable, at its max TTL, revoked), and publishes each new session by swapping
 * the connection's session reference, so requests in flight keep a consistent config.
 */
final class AppRoleLogin implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AppRoleLogin.class);
    private static final long RETRY_MILLIS = 2000;

    private final BaoConnection conn;
    private final AtomicReference<BaoSession> session;
    private final ScheduledExecutorService timer;
    private final Object lock = new Object();
    /** Successful logins and renewals, for operators' debugging and for tests. */
    final java.util.concurrent.atomic.AtomicInteger logins = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger renewals = new java.util.concurrent.atomic.AtomicInteger();

    AppRoleLogin(BaoConnection conn, AtomicReference<BaoSession> session) {
        this.conn = conn;
        this.session = session;
        this.timer = Executors.newSingleThreadScheduledExecutor(BaoConnection.daemonThreads("openbao-" + conn.name + "-approle"));
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
        BaoSession anonymous = conn.newSession(null, false, 0);
        String what = "AppRole login at auth/" + conn.settings.approleMount + "/login";
        try {
            AuthResponse r = anonymous.vault.auth().loginByAppRole(conn.settings.approleMount, conn.settings.roleId, conn.settings.secretId);
            String token = r.getAuthClientToken();
            if (token == null || token.isEmpty()) {
                throw new BackendUnavailableException(conn.name, what + " returned no token", null);
            }
            LOG.info("OpenBao {}: AppRole login, token valid for {} s", conn.name, r.getAuthLeaseDuration());
            logins.incrementAndGet();
            return conn.newSession(token, r.isAuthRenewable(), r.getAuthLeaseDuration());
        } catch (VaultException e) {
            if (e.getHttpStatusCode() == 400 || e.getHttpStatusCode() == 403) {
                // OpenBao answers a wrong role/secret id with 400 "invalid role or secret ID"
                throw new PermissionDeniedException(null, conn.name, what + " refused (HTTP " + e.getHttpStatusCode() + ")");
            }
            throw BaoErrors.fromDriver(conn.name, null, what, e);
        }
    }

    private void refresh(BaoSession current) {
        if (session.get() != current) {
            return;
        }
        BaoSession next = null;
        try {
            next = current.renewable ? renew(current) : null;
        } catch (VaultException e) {
            LOG.info("OpenBao {}: token renewal failed (HTTP {}), logging in again", conn.name, e.getHttpStatusCode());
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
            LOG.warn("OpenBao {}: cannot refresh the AppRole token ({}); retrying", conn.name, e.getMessage());
            if (current.expired()) {
                session.compareAndSet(current, null);
            }
            schedule(current, RETRY_MILLIS);
        }
    }

    /** @return the renewed session, or {@code null} when the token is at its max TTL and needs a new login. */
    private BaoSession renew(BaoSession s) throws VaultException {
        AuthResponse r = s.vault.auth().renewSelf();
        long ttl = r.getAuthLeaseDuration();
        if (ttl < Math.max(2, s.ttlSeconds / 3)) {
            return null;
        }
        renewals.incrementAndGet();
        return conn.newSession(s.token, r.isAuthRenewable(), ttl);
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
