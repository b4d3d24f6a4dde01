package org.openkcm.keystore.openbao.internal;

import io.github.jopenlibs.vault.VaultException;
import io.github.jopenlibs.vault.api.WriteOptions;
import io.github.jopenlibs.vault.json.Json;
import io.github.jopenlibs.vault.json.JsonObject;
import io.github.jopenlibs.vault.json.JsonValue;
import io.github.jopenlibs.vault.response.LogicalResponse;
import io.github.jopenlibs.vault.rest.RestException;
import io.github.jopenlibs.vault.rest.RestResponse;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.ConcurrentUpdateException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeystoreException;

/**
 * The KV v2 operations the backend needs, each one request, each mapped to typed exceptions. Data reads
 * and writes go through the driver; what it lacks (custom_metadata, LIST with after/limit) through its
 * raw {@code rest.Rest} on the same HttpClient.
 */
final class KvStore {
    private final BaoConnection conn;
    private final PathLayout layout;
    /** Requests sent, for tests proving that listing cost follows the matches and bad ids cost none. */
    final AtomicLong requests = new AtomicLong();

    KvStore(BaoConnection conn, PathLayout layout) {
        this.conn = conn;
        this.layout = layout;
    }

    /** @return the secret's current version, or {@code null} if there is none (404). */
    KvEntry read(String belowMount, KeyRef key) throws KeystoreException {
        String path = layout.driverPath(belowMount);
        requests.incrementAndGet();
        try {
            LogicalResponse r = conn.vault().logical().read(path);
            int status = r.getRestResponse().getStatus();
            if (status == 404) {
                return null;
            }
            if (status != 200) {
                throw BaoErrors.fromStatus(conn.name, key, "read " + apiData(belowMount), status, r.getRestResponse().getBody());
            }
            JsonObject body = Json.parse(new String(r.getRestResponse().getBody(), StandardCharsets.UTF_8)).asObject();
            JsonObject data = body.get("data").asObject();
            long version = data.get("metadata").asObject().getLong("version", 0);
            return new KvEntry(data.get("data").asObject(), version);
        } catch (VaultException e) {
            throw BaoErrors.fromDriver(conn.name, key, "read " + apiData(belowMount), e);
        } catch (RuntimeException e) {
            throw BaoErrors.transport(conn.name, key, "read " + apiData(belowMount) + " (unexpected answer)", e);
        }
    }

    /**
     * Writes a new version, with check-and-set when {@code cas} is given (0 = create only).
     *
     * @return the new KV version
     * @throws ConcurrentUpdateException when the check-and-set did not match
     */
    long write(String belowMount, Map<String, Object> data, Long cas, KeyRef key) throws KeystoreException {
        String path = layout.driverPath(belowMount);
        requests.incrementAndGet();
        try {
            LogicalResponse r = cas == null ? conn.vault().logical().write(path, data)
                    : conn.vault().logical().write(path, data, null, new WriteOptions().checkAndSet(cas).build());
            RestResponse rest = r.getRestResponse();
            if (BaoErrors.isCasMismatch(rest.getStatus(), rest.getBody())) {
                throw new ConcurrentUpdateException(key, conn.name, "check-and-set mismatch writing " + apiData(belowMount)
                        + " (expected version " + cas + ")");
            }
            if (rest.getStatus() == 404) {
                // a write cannot miss a key: the mount itself is absent or not KV v2
                throw new BackendUnavailableException(conn.name, key, "no KV v2 mount for write " + apiData(belowMount), null, null);
            }
            if (rest.getStatus() != 200 && rest.getStatus() != 204) {
                throw BaoErrors.fromStatus(conn.name, key, "write " + apiData(belowMount), rest.getStatus(), rest.getBody());
            }
            String v = r.getData().get("version");
            return v == null ? 0 : Long.parseLong(v);
        } catch (VaultException e) {
            throw BaoErrors.fromDriver(conn.name, key, "write " + apiData(belowMount), e);
        } catch (RuntimeException e) {
            throw BaoErrors.transport(conn.name, key, "write " + apiData(belowMount) + " (unexpected answer)", e);
        }
    }

    /** Replaces custom_metadata and sets cas_required (the driver cannot write metadata/). */
    void writeMetadata(String belowMount, Map<String, String> custom, KeyRef key) throws KeystoreException {
        JsonObject customJson = Json.object();
        custom.forEach(customJson::add);
        JsonObject body = Json.object().add("custom_metadata", customJson).add("cas_required", true);
        String api = layout.metadataApi(belowMount);
        RestResponse r = send(key, "write " + api, () -> conn.rest(api).body(body.toString().getBytes(StandardCharsets.UTF_8)).post());
        expect(r, key, "write " + api, 200, 204);
    }

    /** Destroys every version and the metadata (DELETE metadata/...). Idempotent: 204 also when absent. */
    void destroyAll(String belowMount, KeyRef key) throws KeystoreException {
        String api = layout.metadataApi(belowMount);
        RestResponse r = send(key, "delete " + api, () -> conn.rest(api).delete());
        expect(r, key, "delete " + api, 204, 200, 404);
    }

    /**
     * One LIST page of a folder, entries strictly after {@code after}, at most {@code limit}. Sent on the
     * shared HttpClient directly, not through Rest: Rest decodes the query and re-joins it, so an entry
     * name holding '&' or '=' (anyone with write access to the folder can make one) would turn into
     * extra parameters and could make a listing loop. Here {@code after} is percent-encoded and stays so.
     *
     * @return the entry names in ascending order; empty when the folder is empty or absent
     */
    List<String> list(String folder, String after, int limit, KeyRef key) throws KeystoreException {
        String what = "list " + layout.metadataApi(folder);
        String query = "list=true&limit=" + limit + (after == null ? "" : "&after=" + URLEncoder.encode(after, StandardCharsets.UTF_8));
        requests.incrementAndGet();
        HttpResponse<byte[]> r;
        try {
            r = conn.send(layout.metadataApi(folder) + "/", query);
        } catch (IOException | InterruptedException e) {
            throw BaoErrors.transport(conn.name, key, what, e);
        }
        if (r.statusCode() == 404) {
            return List.of();
        }
        if (r.statusCode() != 200) {
            throw BaoErrors.fromStatus(conn.name, key, what, r.statusCode(), r.body());
        }
        List<String> out = new ArrayList<>();
        try {
            JsonValue keys = Json.parse(new String(r.body(), StandardCharsets.UTF_8)).asObject().get("data").asObject().get("keys");
            for (JsonValue k : keys.asArray()) {
                out.add(k.asString());
            }
        } catch (RuntimeException e) {
            throw BaoErrors.transport(conn.name, key, what + " (unexpected answer)", e);
        }
        return out;
    }

    private String apiData(String belowMount) {
        return layout.mount + "/data/" + belowMount;
    }

    private RestResponse send(KeyRef key, String what, RestCall call) throws KeystoreException {
        requests.incrementAndGet();
        try {
            return call.run();
        } catch (RestException e) {
            throw BaoErrors.transport(conn.name, key, what, e);
        }
    }

    private void expect(RestResponse r, KeyRef key, String what, int... ok) throws KeystoreException {
        for (int s : ok) {
            if (r.getStatus() == s) {
                return;
            }
        }
        throw BaoErrors.fromStatus(conn.name, key, what, r.getStatus(), r.getBody());
    }

    @FunctionalInterface
    private interface RestCall {
        RestResponse run() throws RestException, KeystoreException;
    }
}
