package org.openkcm.keystore.webconsole.internal;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.api.BackendStatus;
import org.openkcm.keystore.api.KeystoreAdmin;
import org.openkcm.keystore.api.MigrationReport;
import org.openkcm.keystore.api.RouteView;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.spi.BackendState;

/**
 * The page's actions: CSRF token and origin checks, the admin call, post/redirect/get with a
 * one-time outcome.
 */
class KeystorePluginTest {
  private final KeystorePlugin plugin = new KeystorePlugin();
  private final List<String> calls = new ArrayList<>();
  private final List<String> actors = new ArrayList<>();
  private final Map<String, Object> response = new HashMap<>();

  KeystorePluginTest() {
    plugin.keystoreAdmin =
        new KeystoreAdmin() {
          @Override
          public List<BackendStatus> backends() {
            return List.of(checkHealth("inmemory"));
          }

          @Override
          public BackendStatus checkHealth(String backend) {
            calls.add("checkHealth " + backend);
            actors.add(org.openkcm.keystore.audit.Actor.current().orElse("none"));
            return new BackendStatus(
                backend,
                true,
                true,
                false,
                BackendState.UP,
                "",
                Duration.ofMillis(3),
                Instant.EPOCH,
                0);
          }

          @Override
          public List<RouteView> routes() {
            return List.of();
          }

          @Override
          public MigrationReport migrate(KeyFilter filter, String target) {
            calls.add("migrate " + filter.tier().orElse(null) + " -> " + target);
            return new MigrationReport(target, 2, 1, 0, List.of());
          }
        };
  }

  @Test
  void actionWithoutTokenOrFromAnotherSiteIsRefusedAndDoesNothing() throws Exception {
    plugin.doPost(post(Map.of("action", "checkHealth", "backend", "inmemory"), null), response());
    assertThat(response).containsEntry("error", 403);
    response.clear();
    plugin.doPost(
        post(Map.of("action", "checkHealth", "backend", "inmemory", "csrf", "forged"), null),
        response());
    assertThat(response).containsEntry("error", 403);
    response.clear();
    plugin.doPost(
        post(
            Map.of("action", "checkHealth", "backend", "inmemory", "csrf", plugin.csrfToken()),
            "http://evil.example"),
        response());
    assertThat(response).containsEntry("error", 403);
    assertThat(calls).isEmpty();
  }

  @Test
  void recheckRunsOnceAndTheRedirectedPageShowsTheOutcomeOnce() throws Exception {
    plugin.doPost(
        post(
            Map.of("action", "checkHealth", "backend", "inmemory", "csrf", plugin.csrfToken()),
            "http://127.0.0.1:8080"),
        response());
    assertThat(calls).containsExactly("checkHealth inmemory");
    // the action runs as the console's actor, which the audit trail records
    assertThat(actors).containsExactly("console");
    assertThat(org.openkcm.keystore.audit.Actor.current()).isEmpty();
    String location = (String) response.get("redirect");
    assertThat(location).startsWith("keystore?r=");
    String id = location.substring("keystore?r=".length());
    assertThat(page(id)).contains("Health of inmemory: UP in 3 ms");
    assertThat(page(id)).doesNotContain("Health of inmemory: UP in 3 ms");
  }

  @Test
  void migrateUsesTheFormsFilterAndTarget() throws Exception {
    plugin.doPost(
        post(
            Map.of(
                "action", "migrate", "tier", "L4", "target", "openbao", "csrf", plugin.csrfToken()),
            null),
        response());
    assertThat(calls).containsExactly("migrate " + KeyTier.L4 + " -> openbao");
    String id = ((String) response.get("redirect")).substring("keystore?r=".length());
    assertThat(page(id)).contains("Migration to openbao: 2 moved, 1 skipped, 0 failed");
  }

  @Test
  void badFilterInAMigrationIsReportedNotThrown() throws Exception {
    plugin.doPost(
        post(
            Map.of(
                "action", "migrate", "tier", "L9", "target", "openbao", "csrf", plugin.csrfToken()),
            null),
        response());
    assertThat(calls).isEmpty();
    String id = ((String) response.get("redirect")).substring("keystore?r=".length());
    assertThat(page(id)).contains("Failed: InvalidKeyRequestException").contains("tier");
  }

  private String page(String resultId) throws Exception {
    StringWriter out = new StringWriter();
    Map<String, String> params = Map.of("r", resultId);
    HttpServletRequest get = request(params, null, "GET");
    HttpServletResponse res =
        (HttpServletResponse)
            Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {HttpServletResponse.class},
                (p, m, a) -> m.getName().equals("getWriter") ? new PrintWriter(out) : null);
    plugin.renderContent(get, res);
    return out.toString();
  }

  private HttpServletRequest post(Map<String, String> params, String origin) {
    return request(params, origin, "POST");
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
}
