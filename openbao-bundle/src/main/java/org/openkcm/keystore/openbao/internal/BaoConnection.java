package org.openkcm.keystore.openbao.internal;

import io.github.jopenlibs.vault.EnvironmentLoader;
import io.github.jopenlibs.vault.Vault;
import io.github.jopenlibs.vault.VaultConfig;
import io.github.jopenlibs.vault.VaultException;
import io.github.jopenlibs.vault.rest.Rest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.KeystoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to OpenBao: ONE shared {@link HttpClient} on our own executor (stopped on close, since
 * Java 17's client has no close()), and the current authenticated {@link BaoSession}. The driver's
 * {@link VaultConfig} is mutable and not thread-safe, so every session gets its own config and
 * {@link Vault}, and a renewed login is published by swapping one reference.
 */
final class BaoConnection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BaoConnection.class);
    /** Keeps the driver from reading VAULT_* variables or ~/.vault-token behind the configuration's back. */
    private static final EnvironmentLoader NO_ENVIRONMENT = new EnvironmentLoader() {
        private static final long serialVersionUID = 1L;

        @Override
        public String loadVariable(String name) {
            return null;
        }
    };

    final BaoSettings settings;
    final String name;
    private final ExecutorService httpExecutor;
    private final HttpClient http;
    private final AtomicReference<BaoSession> session = new AtomicReference<>();
    private final AppRoleLogin appRole;
    private volatile boolean closed;

    BaoConnection(BaoSettings settings, String name) {
        this.settings = settings;
        this.name = name;
        this.httpExecutor = new ThreadPoolExecutor(0, 64, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                daemonThreads("openbao-" + name + "-http"), new ThreadPoolExecutor.CallerRunsPolicy());
        this.http = HttpClient.newBuilder()
                .executor(httpExecutor)
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(settings.connectTimeout)
                .sslContext(TlsContexts.create(settings))
                .build();
        if (settings.authMethod == BaoSettings.AuthMethod.APPROLE) {
            this.appRole = new AppRoleLogin(this, session);
        } else {
            this.appRole = null;
            session.set(newSession(settings.token, false, 0));
        }
    }

    /** @return the current session, logging in first when AppRole has none (or it expired). */
    BaoSession session() throws KeystoreException {
        if (closed) {
            throw new BackendUnavailableException(name, "connection closed (component deactivated)", null);
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

    /** @return the AppRole upkeep, {@code null} for token auth. */
    AppRoleLogin appRole() {
        return appRole;
    }

    Vault vault() throws KeystoreException {
        return session().vault;
    }

    /** A raw request with our token and namespace, for what the driver lacks. */
    Rest rest(String apiPath) throws KeystoreException {
        return anonymous(apiPath).header("X-Vault-Token", session().token);
    }

    /** A raw request without a token (health, login). */
    Rest anonymous(String apiPath) {
        return new Rest(http)
                .url(settings.address + "/v1/" + apiPath)
                .header("X-Vault-Namespace", settings.namespace)
                .header("X-Vault-Request", "true")
                .readTimeoutSeconds(settings.readTimeoutSeconds());
    }

    /**
     * A GET with a query that must arrive exactly as encoded (Rest would decode and re-join it), on the
     * same HttpClient, with token, namespace and read timeout; the body is read as bytes, not through
     * the platform charset.
     */
    HttpResponse<byte[]> send(String apiPath, String encodedQuery) throws KeystoreException, IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(settings.address + "/v1/" + apiPath + "?" + encodedQuery))
                .timeout(settings.readTimeout)
                .header("X-Vault-Token", session().token)
                .header("X-Vault-Request", "true")
                .GET();
        if (settings.namespace != null) {
            b.header("X-Vault-Namespace", settings.namespace);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Builds a session: its own driver config sharing our HttpClient, retries off, no environment. */
    BaoSession newSession(String token, boolean renewable, long ttlSeconds) {
        try {
            VaultConfig cfg = new VaultConfig()
                    .environmentLoader(NO_ENVIRONMENT)
                    .address(settings.address.toString())
                    .engineVersion(2)
                    .prefixPath(settings.mount)
                    .httpClient(http)
                    .openTimeout((int) Math.max(1, (settings.connectTimeout.toMillis() + 999) / 1000))
                    .readTimeout(settings.readTimeoutSeconds());
            if (token != null) {
                cfg.token(token);
            }
            cfg.build();
            Vault vault = Vault.create(cfg, 2).withRetries(0, 0);
            if (settings.namespace != null) {
                // set after Vault.create, which otherwise logs an INFO line through JUL for every session;
                // Logical and Auth read the namespace from the config on each call
                cfg.nameSpace(settings.namespace);
            }
            return new BaoSession(token, vault, renewable, ttlSeconds);
        } catch (VaultException e) {
            // only reachable with settings BaoSettings already validated: report without driver details
            throw new IllegalArgumentException("cannot configure the OpenBao driver for " + settings, null);
        }
    }

    @Override
    public void close() {
        closed = true;
        if (appRole != null) {
            appRole.close();
        }
        session.set(null);
        httpExecutor.shutdownNow();
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
