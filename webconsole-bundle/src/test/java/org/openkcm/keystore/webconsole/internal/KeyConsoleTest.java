package org.openkcm.keystore.webconsole.internal;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.api.BackendStatus;
import org.openkcm.keystore.api.KeyLocation;
import org.openkcm.keystore.api.KeystoreAdmin;
import org.openkcm.keystore.api.MigrationReport;
import org.openkcm.keystore.api.RouteView;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;

/**
 * The console's key actions (through the plugin's POST, so the CSRF check runs first), the key page
 * and the hierarchy view, over an in-memory KeyService.
 */
class KeyConsoleTest {
  private final FakeKeys keys = new FakeKeys();
  private final KeystorePlugin plugin = new KeystorePlugin();
  private final Map<String, Object> response = new HashMap<>();
  private KeyMetadata l2;
  private KeyMetadata l3;

  KeyConsoleTest() throws Exception {
    plugin.keyService = keys;
    plugin.keystoreAdmin = admin();
    l2 = keys.put("acme", 1, KeyTier.L2, "tenant:acme", null, KeyStatus.ACTIVE);
    l3 = keys.put("acme-billing", 1, KeyTier.L3, "service:billing", l2.ref(), KeyStatus.DEPRECATED);
    keys.put("acme-billing", 2, KeyTier.L3, "service:billing", l2.ref(), KeyStatus.ACTIVE);
    keys.put(
        "row-7",
        1,
        KeyTier.L4,
        "service:billing",
        KeyRef.of("acme-billing", 2),
        KeyStatus.SUSPENDED);
    keys.changes.clear();
  }

  @Test
  void aKeyActionWithoutTheCsrfTokenOrFromAnotherOriginChangesNothing() throws Exception {
    Map<String, String> destroy = Map.of("action", "destroy", "key", "acme", "confirm", "acme");
    post(destroy, null);
    assertThat(response).containsEntry("error", 403);
    post(with(destroy, "csrf", "forged"), null);
    post(with(destroy, "csrf", plugin.csrfToken()), "http://evil.example");
    assertThat(response).containsEntry("error", 403);
    assertThat(keys.changes).isEmpty();
    assertThat(keys.keys).containsKey(l2.ref());
  }

  @Test
  void destroyNeedsTheKeyIdTypedAgain() throws Exception {
    String page = postAndFollow(Map.of("action", "destroy", "key", "acme", "confirm", "acm"));
    assertThat(keys.changes).isEmpty();
    assertThat(page).contains("type the key id").contains("nothing was destroyed");
    assertThat((String) response.get("redirect")).startsWith("keystore?key=acme&r=");

    postAndFollow(Map.of("action", "destroy", "key", "acme", "confirm", "acme", "cascade", "true"));
    assertThat(keys.changes).containsExactly("destroy acme cascade");
  }

  @Test
  void createUnderAParentRotateStatusAndTagsEachCallTheKeyServiceOnce() throws Exception {
    String created =
        postAndFollow(
            Map.of(
                "action",
                "createKey",
                "tier",
                "L4",
                "parent",
                "acme-billing",
                "owner",
                "service:billing",
                "id",
                "row-8",
                "tags",
                "region=eu\nteam = pay",
                "expires",
                "2027-12-31"));
    assertThat(keys.changes.get(0)).contains("L4", "id=row-8", "parent=acme-billing");
    assertThat(keys.keys.get(KeyRef.of("row-8", 1)).tags()).containsEntry("team", "pay");
    assertThat(created).contains("Created row-8@1 (L4, ACTIVE)");
    assertThat((String) response.get("redirect")).startsWith("keystore?key=row-8&");

    postAndFollow(Map.of("action", "rotate", "key", "acme-billing"));
    postAndFollow(Map.of("action", "changeStatus", "key", "row-7@1", "status", "ACTIVE"));
    postAndFollow(
        Map.of(
            "action",
            "updateKey",
            "key",
            "acme@1",
            "tags",
            "cost=42",
            "expires",
            "2028-01-01T00:00:00Z"));
    assertThat(keys.changes.subList(1, 4))
        .containsExactly(
            "rotate acme-billing",
            "status row-7@1 ACTIVE",
            "update acme@1 {cost=42} " + Instant.parse("2028-01-01T00:00:00Z"));
  }

  @Test
  void badFormValuesAreRefusedNamingTheFieldAndChangeNothing() throws Exception {
    assertThat(postAndFollow(Map.of("action", "createKey", "tier", "L9", "owner", "tenant:a")))
        .contains("Failed: InvalidKeyRequestException")
        .contains("tier");
    assertThat(
            postAndFollow(
                Map.of(
                    "action", "createKey", "tier", "L2", "owner", "tenant:a", "tags", "novalue")))
        .contains("tags");
    assertThat(postAndFollow(Map.of("action", "updateKey", "key", "acme@1", "expires", "soon")))
        .contains("expires");
    assertThat(keys.changes).isEmpty();
  }

  @Test
  void theKeyPageShowsVersionsBackendRevisionCheckValueParentsAndChildrenButNoMaterial()
      throws Exception {
    String page = get(Map.of("key", "acme-billing"));
    assertThat(page)
        .contains("acme-billing@2</td><td>ACTIVE</td>", "acme-billing@1</td><td>DEPRECATED</td>")
        .contains("<td>openbao</td><td>7 (181 sealed bytes)</td>")
        .contains("id='parent-chain'")
        .contains("href='keystore?key=acme'>acme@1</a> &rarr; root key")
        .contains("href='keystore?key=row-7'>row-7@1</a>")
        .contains("id='destroy-confirm'", "id='rotate-form'", "id='create-child-form'")
        .contains("Status history");
    String kcv =
        page.replaceAll("(?s).*<td>7 \\(181 sealed bytes\\)</td><td>([0-9a-f]{6})</td>.*", "$1");
    assertThat(kcv).hasSize(6);
    assertThat(page).doesNotContain(HexFormat.of().formatHex(FakeKeys.MATERIAL, 0, 4));
    assertThat(get(Map.of("key", "row-7")))
        .contains("acme-billing@2</a> &rarr;")
        .contains("acme@1</a> &rarr; root key");
  }

  @Test
  void theKeyPageEncodesWhatItShowsAndSaysWhatIsMissing() throws Exception {
    keys.updateMetadata(l2.ref(), Map.of("note", "<script>alert(1)</script>"), null);
    keys.unavailable = List.of("openbao");
    String page = get(Map.of("key", "acme"));
    assertThat(page).doesNotContain("<script>alert").contains("&lt;script&gt;");
    assertThat(page).contains("Partial result: backend(s) unavailable: openbao");
    assertThat(get(Map.of("key", "<b>x"))).contains("Not a key id").doesNotContain("<b>x");
  }

  @Test
  void theHierarchyIsDrawnAsSvgColouredByStatusWithLinks() throws Exception {
    String page = get(Map.of("tree", "tenant:acme"));
    assertThat(page).contains("<svg id='hierarchy'");
    assertThat(page)
        .contains("id='node-acme' data-status='ACTIVE'")
        .contains("id='node-acme-billing' data-status='ACTIVE'")
        .contains("id='node-row-7' data-status='SUSPENDED'")
        .contains("fill='" + HierarchyView.colour(KeyStatus.SUSPENDED) + "'")
        .contains("<a href='keystore?key=row-7'>")
        .doesNotContain("<script");
    assertThat(get(Map.of("tree", "tenant:nobody"))).contains("no keys for this owner");
  }

  private String postAndFollow(Map<String, String> form) throws Exception {
    post(with(form, "csrf", plugin.csrfToken()), "http://127.0.0.1:8080");
    String location = (String) response.get("redirect");
    Map<String, String> params = new HashMap<>();
    for (String pair : location.substring("keystore?".length()).split("&")) {
      String[] kv = pair.split("=", 2);
      params.put(kv[0], java.net.URLDecoder.decode(kv[1], java.nio.charset.StandardCharsets.UTF_8));
    }
    return get(params);
  }

  private static Map<String, String> with(Map<String, String> m, String k, String v) {
    Map<String, String> out = new HashMap<>(m);
    out.put(k, v);
    return out;
  }

  private void post(Map<String, String> params, String origin) throws Exception {
    response.clear();
    plugin.doPost(request(params, origin, "POST"), response());
  }

  private String get(Map<String, String> params) throws Exception {
    StringWriter out = new StringWriter();
    HttpServletResponse res =
        (HttpServletResponse)
            Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {HttpServletResponse.class},
                (p, m, a) -> m.getName().equals("getWriter") ? new PrintWriter(out) : null);
    plugin.renderContent(request(params, null, "GET"), res);
    return out.toString();
  }

  private HttpServletRequest request(Map<String, String> params, String origin, String method) {
    return (HttpServletRequest)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {HttpServletRequest.class},
            (p, m, a) ->
                switch (m.getName()) {
                  case "getParameter" -> params.get((String) a[0]);
                  case "getHeader" ->
                      "Origin".equals(a[0])
                          ? origin
                          : "Host".equals(a[0]) ? "127.0.0.1:8080" : null;
                  case "getMethod" -> method;
                  case "getRemoteAddr" -> "127.0.0.1";
                  case "getRemoteUser" -> "operator";
                  default -> null;
                });
  }

  private HttpServletResponse response() {
    return (HttpServletResponse)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {HttpServletResponse.class},
            (p, m, a) -> {
              if (m.getName().equals("sendError")) {
                response.put("error", a[0]);
              } else if (m.getName().equals("sendRedirect")) {
                response.put("redirect", a[0]);
              }
              return null;
            });
  }

  private static KeystoreAdmin admin() {
    return new KeystoreAdmin() {
      @Override
      public List<BackendStatus> backends() {
        return List.of();
      }

      @Override
      public BackendStatus checkHealth(String backend) {
        throw new UnsupportedOperationException();
      }

      @Override
      public List<RouteView> routes() {
        return List.of();
      }

      @Override
      public MigrationReport migrate(KeyFilter filter, String targetBackend) {
        throw new UnsupportedOperationException();
      }

      @Override
      public KeyLocation locate(KeyRef ref) {
        return new KeyLocation(ref, "openbao", 7, 181);
      }
    };
  }
}
