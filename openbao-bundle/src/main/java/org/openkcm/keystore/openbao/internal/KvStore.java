package org.openkcm.keystore.openbao.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.ConcurrentUpdateException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeystoreException;

/**
 * The KV v2 operations the backend needs, each one request on the connection's {@link BaoHttp}
 * client, each mapped to typed exceptions.
 */
final class KvStore {
  private final BaoConnection conn;
  private final PathLayout layout;

  /**
   * Requests sent, for tests proving that listing cost follows the matches and bad ids cost none.
   */
  final AtomicLong requests = new AtomicLong();

  /**
   * Round trips: how often a caller waited for answers (requests sent together and waited for
   * together count once), for tests proving what an operation puts on the caller's critical path.
   */
  final AtomicLong roundTrips = new AtomicLong();

  KvStore(BaoConnection conn, PathLayout layout) {
    this.conn = conn;
    this.layout = layout;
  }

  /**
   * @return when the server wrote the version (its {@code created_time}, set by OpenBao, not by the
   *     writer), or {@code null} if the answer has none
   */
  private static java.time.Instant createdTime(JsonElement e) {
    String t =
        e == null || e.isJsonNull() ? null : e.isJsonPrimitive() ? e.getAsString() : e.toString();
    return t == null || t.isEmpty() ? null : Timestamps.parse(t);
  }

  /**
   * @return the secret's current version, or {@code null} if there is none (404).
   */
  KvEntry read(String belowMount, KeyRef key) throws KeystoreException {
    String api = layout.dataApi(belowMount);
    requests.incrementAndGet();
    roundTrips.incrementAndGet();
    BaoHttp.Answer r = conn.callHere("GET", api, null, key, "read " + api);
    if (r.status == 404) {
      return null;
    }
    if (r.status != 200) {
      throw BaoErrors.fromStatus(conn.name, key, "read " + api, r.status, r.body);
    }
    try {
      BaoJson.KvRead read = BaoJson.kvRead(r.body);
      JsonElement v = read.version();
      long version = v == null || v.isJsonNull() ? 0 : v.getAsLong();
      return new KvEntry(read.data(), version, createdTime(read.createdTime()));
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
    return finish(startWrite(belowMount, data, cas, key));
  }

  /** {@link #write} sent without waiting: {@link #finish} it. */
  Pending<Long> startWrite(String belowMount, JsonObject data, Long cas, KeyRef key) {
    return write(belowMount, data, cas, key, false);
  }

  /**
   * {@link #startWrite}, but sent only when it is finished, on the finishing thread ({@link
   * BaoConnection#callHere}): the last request of a round trip, whose answer then needs no hand-off
   * between threads, while the requests started before it are in flight.
   */
  Pending<Long> writeHere(String belowMount, JsonObject data, Long cas, KeyRef key) {
    return write(belowMount, data, cas, key, true);
  }

  private Pending<Long> write(
      String belowMount, JsonObject data, Long cas, KeyRef key, boolean here) {
    String api = layout.dataApi(belowMount);
    JsonObject body = new JsonObject();
    body.add("data", data);
    if (cas != null) {
      JsonObject options = new JsonObject();
      options.addProperty("cas", cas);
      body.add("options", options);
    }
    return start(
        "POST",
        api,
        BaoJson.bytes(body),
        key,
        "write " + api,
        here,
        r -> {
          if (BaoErrors.isCasMismatch(r.status, r.body)) {
            throw new ConcurrentUpdateException(
                key,
                conn.name,
                "check-and-set mismatch writing " + api + " (expected version " + cas + ")");
          }
          if (r.status == 404) {
            // a write cannot miss a key: the mount itself is absent or not KV v2
            throw new BackendUnavailableException(
                conn.name, key, "no KV v2 mount for write " + api, null, null);
          }
          if (r.status != 200 && r.status != 204) {
            throw BaoErrors.fromStatus(conn.name, key, "write " + api, r.status, r.body);
          }
          if (r.status == 204 || r.body.length == 0) {
            return 0L;
          }
          try {
            return BaoJson.number(BaoJson.child(BaoJson.object(r.body), "data"), "version", 0);
          } catch (RuntimeException e) {
            throw BaoErrors.transport(conn.name, key, "write " + api + " (unexpected answer)", e);
          }
        });
  }

  /** Replaces custom_metadata and sets cas_required, sent without waiting: {@link #finish} it. */
  Pending<Void> startMetadata(String belowMount, Map<String, String> custom, KeyRef key) {
    JsonObject customJson = new JsonObject();
    custom.forEach(customJson::addProperty);
    JsonObject body = new JsonObject();
    body.add("custom_metadata", customJson);
    body.addProperty("cas_required", true);
    String api = layout.metadataApi(belowMount);
    return start(
        "POST",
        api,
        BaoJson.bytes(body),
        key,
        "write " + api,
        r -> expect(r, key, "write " + api, 200, 204));
  }

  /**
   * Destroys every version and the metadata (DELETE metadata/...). Idempotent: 204 also when
   * absent.
   */
  void destroyAll(String belowMount, KeyRef key) throws KeystoreException {
    finish(startDestroyAll(belowMount, key));
  }

  /** {@link #destroyAll} sent without waiting: {@link #finish} it. */
  Pending<Void> startDestroyAll(String belowMount, KeyRef key) {
    String api = layout.metadataApi(belowMount);
    return start(
        "DELETE",
        api,
        null,
        key,
        "delete " + api,
        r -> expect(r, key, "delete " + api, 204, 200, 404));
  }

  /**
   * Waits for a request started by one of the {@code start...} methods and checks its answer.
   * Several started together cost one round trip; finish every one of them, so no request outlives
   * the call.
   */
  <T> T finish(Pending<T> p) throws KeystoreException {
    if (!p.alongside) {
      roundTrips.incrementAndGet();
    }
    return answer(p);
  }

  private <T> T answer(Pending<T> p) throws KeystoreException {
    if (p.inFlight == null) {
      return p.check.check(conn.callHere(p.method, p.api, null, p.body, p.key, p.what));
    }
    return p.check.check(conn.await(p.inFlight, p.key, p.what));
  }

  /**
   * Finishes all and throws the first failure (in list order) once every one has an outcome. Those
   * to be sent here go first, so they travel while the others are in flight.
   */
  void finishAll(List<? extends Pending<?>> all) throws KeystoreException {
    KeystoreException[] failures = new KeystoreException[all.size()];
    roundTrips.incrementAndGet();
    for (int pass = 0; pass < 2; pass++) {
      for (int i = 0; i < all.size(); i++) {
        Pending<?> p = all.get(i);
        if ((p.inFlight == null) == (pass == 0)) {
          try {
            answer(p);
          } catch (KeystoreException e) {
            failures[i] = e;
          }
        }
      }
    }
    for (KeystoreException f : failures) {
      if (f != null) {
        throw f;
      }
    }
  }

  /**
   * One LIST page of a folder, entries strictly after {@code after}, at most {@code limit}. The
   * query is sent exactly as encoded here: an entry name holding '&' or '=' (anyone with write
   * access to the folder can make one) stays inside {@code after} and cannot become extra
   * parameters.
   *
   * @return the entry names in ascending order; empty when the folder is empty or absent
   */
  List<String> list(String folder, String after, int limit, KeyRef key) throws KeystoreException {
    String what = "list " + layout.metadataApi(folder);
    String query =
        "list=true&limit="
            + limit
            + (after == null ? "" : "&after=" + URLEncoder.encode(after, StandardCharsets.UTF_8));
    requests.incrementAndGet();
    roundTrips.incrementAndGet();
    BaoHttp.Answer r = conn.callHere("GET", layout.metadataApi(folder) + "/", query, key, what);
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

  private <T> Pending<T> start(
      String method, String api, byte[] body, KeyRef key, String what, Check<T> check) {
    return start(method, api, body, key, what, false, check);
  }

  private <T> Pending<T> start(
      String method,
      String api,
      byte[] body,
      KeyRef key,
      String what,
      boolean here,
      Check<T> check) {
    requests.incrementAndGet();
    return here
        ? new Pending<>(method, api, body, key, what, check)
        : new Pending<>(conn.start(method, api, body), key, what, check);
  }

  private Void expect(BaoHttp.Answer r, KeyRef key, String what, int... ok)
      throws KeystoreException {
    for (int s : ok) {
      if (r.status == s) {
        return null;
      }
    }
    throw BaoErrors.fromStatus(conn.name, key, what, r.status, r.body);
  }

  /** Turns an answer into the operation's result or its typed failure. */
  @FunctionalInterface
  interface Check<T> {
    T check(BaoHttp.Answer answer) throws KeystoreException;
  }

  /**
   * A request in flight, or (when {@code inFlight} is null) one sent by the thread finishing it.
   */
  static final class Pending<T> {
    final CompletableFuture<BaoHttp.Answer> inFlight;
    final String method;
    final String api;
    final byte[] body;
    final KeyRef key;
    final String what;
    final Check<T> check;

    /** Sent together with another request whose wait counts as the round trip of both. */
    final boolean alongside;

    Pending(CompletableFuture<BaoHttp.Answer> inFlight, KeyRef key, String what, Check<T> check) {
      this(inFlight, null, null, null, key, what, check, false);
    }

    Pending(String method, String api, byte[] body, KeyRef key, String what, Check<T> check) {
      this(null, method, api, body, key, what, check, false);
    }

    private Pending(
        CompletableFuture<BaoHttp.Answer> inFlight,
        String method,
        String api,
        byte[] body,
        KeyRef key,
        String what,
        Check<T> check,
        boolean alongside) {
      this.inFlight = inFlight;
      this.method = method;
      this.api = api;
      this.body = body;
      this.key = key;
      this.what = what;
      this.check = check;
      this.alongside = alongside;
    }

    /**
     * @return this request, marked as sent together with another one that is finished first (its
     *     own wait is then no round trip of its own)
     */
    Pending<T> alongside() {
      return new Pending<>(inFlight, method, api, body, key, what, check, true);
    }
  }
}
