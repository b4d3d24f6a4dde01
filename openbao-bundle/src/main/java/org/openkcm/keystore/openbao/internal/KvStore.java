package org.openkcm.keystore.openbao.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.net.URLEncoder;
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
 * The KV v2 operations the backend needs, each one request on the connection's {@link BaoHttp} client,
 * each mapped to typed exceptions.
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
        String api = layout.dataApi(belowMount);
        requests.incrementAndGet();
        BaoHttp.Answer r = conn.call("GET", api, null, null, key, "read " + api);
        if (r.status == 404) {
            return null;
        }
        if (r.status != 200) {
            throw BaoErrors.fromStatus(conn.name, key, "read " + api, r.status, r.body);
        }
        try {
            JsonObject data = BaoJson.child(BaoJson.object(r.body), "data");
            long version = BaoJson.number(BaoJson.child(data, "metadata"), "version", 0);
            return new KvEntry(BaoJson.child(data, "data"), version);
        } catch (RuntimeException e) {
            throw BaoErrors.transport(conn.name, key, "read " + api + " (unexpected answer)", e);
        }
    }

    /**
     * Writes a new version, with check-and-set when {@code cas} is given (0 = create only).
     *
     * @return the new KV version
     * @throws ConcurrentUpdateException when the check-and-set did not match
     */
    long write(String belowMount, JsonObject data, Long cas, KeyRef key) throws KeystoreException {
        String api = layout.dataApi(belowMount);
        JsonObject body = new JsonObject();
        body.add("data", data);
        if (cas != null) {
            JsonObject options = new JsonObject();
            options.addProperty("cas", cas);
            body.add("options", options);
        }
        requests.incrementAndGet();
        BaoHttp.Answer r = conn.call("POST", api, null, BaoJson.bytes(body), key, "write " + api);
        if (BaoErrors.isCasMismatch(r.status, r.body)) {
            throw new ConcurrentUpdateException(key, conn.name, "check-and-set mismatch writing " + api + " (expected version " + cas + ")");
        }
        if (r.status == 404) {
            // a write cannot miss a key: the mount itself is absent or not KV v2
            throw new BackendUnavailableException(conn.name, key, "no KV v2 mount for write " + api, null, null);
        }
        if (r.status != 200 && r.status != 204) {
            throw BaoErrors.fromStatus(conn.name, key, "write " + api, r.status, r.body);
        }
        if (r.status == 204 || r.body.length == 0) {
            return 0;
        }
        try {
            return BaoJson.number(BaoJson.child(BaoJson.object(r.body), "data"), "version", 0);
        } catch (RuntimeException e) {
            throw BaoErrors.transport(conn.name, key, "write " + api + " (unexpected answer)", e);
        }
    }

    /** Replaces custom_metadata and sets cas_required. */
    void writeMetadata(String belowMount, Map<String, String> custom, KeyRef key) throws KeystoreException {
        JsonObject customJson = new JsonObject();
        custom.forEach(customJson::addProperty);
        JsonObject body = new JsonObject();
        body.add("custom_metadata", customJson);
        body.addProperty("cas_required", true);
        String api = layout.metadataApi(belowMount);
        requests.incrementAndGet();
        BaoHttp.Answer r = conn.call("POST", api, null, BaoJson.bytes(body), key, "write " + api);
        expect(r, key, "write " + api, 200, 204);
    }

    /** Destroys every version and the metadata (DELETE metadata/...). Idempotent: 204 also when absent. */
    void destroyAll(String belowMount, KeyRef key) throws KeystoreException {
        String api = layout.metadataApi(belowMount);
        requests.incrementAndGet();
        BaoHttp.Answer r = conn.call("DELETE", api, null, null, key, "delete " + api);
        expect(r, key, "delete " + api, 204, 200, 404);
    }

    /**
     * One LIST page of a folder, entries strictly after {@code after}, at most {@code limit}. The query is
     * sent exactly as encoded here: an entry name holding '&' or '=' (anyone with write access to the
     * folder can make one) stays inside {@code after} and cannot become extra parameters.
     *
     * @return the entry names in ascending order; empty when the folder is empty or absent
     */
    List<String> list(String folder, String after, int limit, KeyRef key) throws KeystoreException {
        String what = "list " + layout.metadataApi(folder);
        String query = "list=true&limit=" + limit + (after == null ? "" : "&after=" + URLEncoder.encode(after, StandardCharsets.UTF_8));
        requests.incrementAndGet();
        BaoHttp.Answer r = conn.call("GET", layout.metadataApi(folder) + "/", query, null, key, what);
        if (r.status == 404) {
            return List.of();
        }
        if (r.status != 200) {
            throw BaoErrors.fromStatus(conn.name, key, what, r.status, r.body);
        }
        List<String> out = new ArrayList<>();
        try {
            JsonArray keys = BaoJson.child(BaoJson.object(r.body), "data").getAsJsonArray("keys");
            for (JsonElement k : keys) {
                out.add(k.getAsString());
            }
        } catch (RuntimeException e) {
            throw BaoErrors.transport(conn.name, key, what + " (unexpected answer)", e);
        }
        return out;
    }

    private void expect(BaoHttp.Answer r, KeyRef key, String what, int... ok) throws KeystoreException {
        for (int s : ok) {
            if (r.status == s) {
                return;
            }
        }
        throw BaoErrors.fromStatus(conn.name, key, what, r.status, r.body);
    }
}
