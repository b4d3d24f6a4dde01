package org.openkcm.keystore.openbao.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.openkcm.keystore.spi.BackendHealth;
import org.openkcm.keystore.spi.BackendState;

/**
 * Whether this backend's credentials work, checked after {@code sys/health} said the server is up
 * (a server that answers is not yet a backend that serves): {@code auth/token/lookup-self} tells a
 * rejected token (invalid, expired, revoked) apart, and {@code sys/capabilities-self} on the paths
 * the backend uses tells a policy too narrow for them. Either is UNAVAILABLE with a detail naming
 * the cause and the setting that fixes it; every call would fail with PermissionDenied otherwise,
 * with no hint why. Two small requests per health check; never throws.
 */
final class AccessProbe {
  private AccessProbe() {}

  /**
   * @return {@code up} when the token works on every path, else UNAVAILABLE saying why
   */
  static BackendHealth check(BaoConnection conn, PathLayout layout, BackendHealth up) {
    try {
      BaoHttp.Answer self =
          conn.call("GET", "auth/token/lookup-self", null, null, null, "lookup-self");
      if (self.status == 403 || self.status == 401) {
        return BackendHealth.of(
            BackendState.UNAVAILABLE,
            "token rejected by OpenBao (invalid, expired or revoked; HTTP "
                + self.status
                + " from auth/token/lookup-self): set a valid BAO_TOKEN",
            up.latency());
      }
      Map<String, Set<String>> needed = needed(layout);
      BaoHttp.Answer caps =
          conn.call(
              "POST",
              "sys/capabilities-self",
              null,
              body(needed.keySet()),
              null,
              "capabilities-self");
      if (caps.status != 200) {
        return up; // an older server or a policy without the default one: nothing to conclude
      }
      String missing = missing(BaoJson.object(caps.body), needed);
      return missing.isEmpty()
          ? up
          : BackendHealth.of(
              BackendState.UNAVAILABLE,
              "token policy too narrow: lacks " + missing + " (docs/openbao.md lists the policy)",
              up.latency());
    } catch (Exception | LinkageError e) {
      return up; // the calls themselves report transport problems; health said the server is up
    }
  }

  /** A sample record path of each kind the backend reads and writes, with what it needs there. */
  static Map<String, Set<String>> needed(PathLayout layout) {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    String probe = layout.keysFolder() + "/capability-probe";
    out.put(layout.dataApi(probe), Set.of("create", "read", "update"));
    out.put(layout.metadataApi(probe), Set.of("read", "update", "delete", "list"));
    return out;
  }

  private static byte[] body(Set<String> paths) {
    JsonObject o = new JsonObject();
    JsonArray a = new JsonArray();
    paths.forEach(a::add);
    o.add("paths", a);
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * @return e.g. {@code [create, update] on secret/data/openkcm/keys/...}, empty when nothing
   */
  static String missing(JsonObject answer, Map<String, Set<String>> needed) {
    JsonObject data =
        answer.has("data") && answer.get("data").isJsonObject()
            ? answer.getAsJsonObject("data")
            : answer;
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, Set<String>> e : needed.entrySet()) {
      Set<String> granted = new TreeSet<>();
      JsonElement g = data.get(e.getKey());
      if (g != null && g.isJsonArray()) {
        g.getAsJsonArray().forEach(c -> granted.add(c.getAsString()));
      }
      if (granted.contains("root")) {
        continue;
      }
      Set<String> lacking = new TreeSet<>(e.getValue());
      lacking.removeAll(granted);
      if (!lacking.isEmpty()) {
        out.add(lacking + " on " + e.getKey().replace("capability-probe", "*"));
      }
    }
    return String.join("; ", out);
  }
}
