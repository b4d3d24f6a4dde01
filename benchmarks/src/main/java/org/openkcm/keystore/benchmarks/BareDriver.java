package org.openkcm.keystore.benchmarks;

import io.github.jopenlibs.vault.EnvironmentLoader;
import io.github.jopenlibs.vault.Vault;
import io.github.jopenlibs.vault.VaultConfig;
import io.github.jopenlibs.vault.VaultException;
import io.github.jopenlibs.vault.response.LogicalResponse;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The floor of a retrieve: vault-java-driver 6.2.1 reading the same KV v2 path, configured as the
 * backend configures it (one shared HTTP/1.1 client, engine v2, no retries, no environment) and nothing
 * else: no routing, no worker hand-off, no record decoding, no crypto.
 */
final class BareDriver implements AutoCloseable {
    private static final EnvironmentLoader NO_ENVIRONMENT = new EnvironmentLoader() {
        private static final long serialVersionUID = 1L;

        @Override
        public String loadVariable(String name) {
            return null;
        }
    };
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "bare-driver-http");
        t.setDaemon(true);
        return t;
    });
    private final Vault vault;

    BareDriver(String address, String token) throws VaultException {
        HttpClient http = HttpClient.newBuilder().executor(executor).version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(2)).build();
        VaultConfig cfg = new VaultConfig().environmentLoader(NO_ENVIRONMENT).address(address).engineVersion(2)
                .prefixPath("secret").httpClient(http).openTimeout(2).readTimeout(5).token(token).build();
        vault = Vault.create(cfg, 2).withRetries(0, 0);
    }

    /** @return the secret's data; fails on anything but 200, so a broken setup cannot look fast */
    Map<String, String> read(String driverPath) throws VaultException {
        LogicalResponse r = vault.logical().read(driverPath);
        if (r.getRestResponse().getStatus() != 200) {
            throw new IllegalStateException("bare read of " + driverPath + " answered " + r.getRestResponse().getStatus());
        }
        return r.getData();
    }

    /** One KV v2 write of a small secret (no check-and-set); fails on anything but 200. */
    void write(String driverPath, Map<String, Object> data) throws VaultException {
        int status = vault.logical().write(driverPath, data).getRestResponse().getStatus();
        if (status != 200) {
            throw new IllegalStateException("bare write of " + driverPath + " answered " + status);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
