package org.openkcm.keystore.webconsole.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.api.BackendStatus;
import org.openkcm.keystore.api.CacheStatistics;
import org.openkcm.keystore.api.KeyService;
import org.openkcm.keystore.api.KeystoreAdmin;
import org.openkcm.keystore.api.MigrationReport;
import org.openkcm.keystore.api.RouteView;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.spi.BackendState;

class KeystorePageTest {
  private final List<KeyFilter> listed = new ArrayList<>();
  private boolean partial;

  private String render(
      KeyService keys, KeystoreAdmin admin, Map<String, String> params, boolean searching) {
    StringWriter out = new StringWriter();
    new KeystorePage(new Html(new PrintWriter(out)), keys, admin, List.of(), "tok-123")
        .render(null, SearchForm.of(params::get), searching);
    return out.toString();
  }

  @Test
  void withoutTheCoreEverySectionSaysNotAvailable() {
    String html = render(null, null, Map.of("owner", "tenant:a"), true);
    assertThat(html)
        .contains("KeyService: not available | KeystoreAdmin: not available")
        .contains(
            "KeystoreAdmin not available (the core has not started)",
            "Routing not available",
            "KeyService not available")
        .doesNotContain("name='csrf'");
  }

  @Test
  void operatorDataIsEncodedAndFormsCarryTheCsrfToken() {
    String html = render(null, admin("<script>alert(1)</script>"), Map.of(), false);
    assertThat(html)
        .doesNotContain("<script>")
        .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
        .contains("<td>inmemory</td><td>DEGRADED</td>")
        .contains("<td>owner=&lt;b&gt;</td>")
        .contains("name='csrf' value='tok-123'")
        .contains("id='recheck-inmemory'")
        .contains("id='migrate-form'")
        .contains("<select name='target' id='f-target'><option value='inmemory'>");
  }

  @Test
  void presentServicesAreListedByNameAndOnlyConfiguredOnesShowTheGuardedState() {
    StringWriter out = new StringWriter();
    // 'rogue' is a registered service nothing configures: the page shows it but never calls it
    new KeystorePage(
            new Html(new PrintWriter(out)),
            null,
            admin("ok"),
            List.of("rogue", "inmemory"),
            "tok-123")
        .render(null, SearchForm.of(Map.<String, String>of()::get), false);
    String services = out.toString().substring(out.toString().indexOf("id='service-table'"));
    assertThat(services)
        .contains("<td>inmemory</td><td>true</td><td>DEGRADED</td>")
        .contains("<td>rogue</td><td>false</td><td>not called: not configured</td>");
    assertThat(out.toString()).contains("id='migrate-force'");
  }

  @Test
  void searchListsMetadataOnlyWithTheFormsFilter() throws Exception {
    String html =
        render(keys(), null, Map.of("owner", "tenant:acme", "tier", "L2", "pageSize", "1"), true);
    assertThat(listed).hasSize(1);
    assertThat(listed.get(0).owner()).contains(Owner.tenant("acme"));
    assertThat(listed.get(0).tier()).contains(KeyTier.L2);
    assertThat(listed.get(0).pageSize()).isEqualTo(1);
    assertThat(html)
        .contains("acme-1@1</a></td><td>L2</td><td>ACTIVE</td><td>tenant:acme</td><td>AES-256</td>")
        .contains("1 key version(s) on this page")
        .contains("id='next-page'")
        .contains("{region=eu}")
        .doesNotContain("openkcm.")
        .contains("<td>sealed L2</td><td>3</td><td>1</td><td>1</td><td>0</td><td>50.0 %</td>");
  }

  @Test
  void badSearchInputNamesTheFieldAndListsNothing() {
    String html = render(keys(), null, Map.of("tier", "L9"), true);
    assertThat(listed).isEmpty();
    assertThat(html).contains("Search failed").contains("tier").contains("L9");
  }

  private static KeystoreAdmin admin(String detail) {
    return new KeystoreAdmin() {
      @Override
      public List<BackendStatus> backends() {
        return List.of(
            new BackendStatus(
                "inmemory",
                true,
                true,
                false,
                BackendState.DEGRADED,
                detail,
                Duration.ofMillis(7),
                Instant.EPOCH,
                42));
      }

      @Override
      public BackendStatus checkHealth(String backend) {
        return backends().get(0);
      }

      @Override
      public List<RouteView> routes() {
        return List.of(new RouteView(1, "owner=<b>", "inmemory"));
      }

      @Override
      public MigrationReport migrate(KeyFilter filter, String targetBackend) {
        return new MigrationReport(targetBackend, 0, 0, 0, List.of());
      }
    };
  }

  private KeyService keys() {
    return (KeyService)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {KeyService.class},
            (p, m, args) -> {
              switch (m.getName()) {
                case "list":
                  listed.add((KeyFilter) args[0]);
                  KeyMetadata md =
                      KeyMetadata.builder()
                          .ref(KeyRef.of("acme-1", 1))
                          .tier(KeyTier.L2)
                          .owner(Owner.tenant("acme"))
                          .tag("region", "eu")
                          .tag("openkcm.state", "v1.mac")
                          .tag("openkcm.saga", "destroy")
                          .build();
                  return partial
                      ? new Page<>(List.of(md), null, List.of("openbao"))
                      : new Page<>(List.of(md), KeyFilter.cursorAfter(md.ref()));
                case "cacheStatistics":
                  return new CacheStatistics(
                      List.of(new CacheStatistics.Layer("sealed L2", 3, 1, 1, 0)));
                default:
                  throw new UnsupportedOperationException(m.getName());
              }
            });
  }

  @Test
  void aPartialSearchSaysWhichBackendsAreMissing() {
    partial = true;
    String html = render(keys(), null, Map.of("tier", "L2"), true);
    assertThat(html)
        .contains(">acme-1@1</a></td>")
        .contains("<p class='partial'>Partial result: backend(s) unavailable: openbao");
    partial = false;
    assertThat(render(keys(), null, Map.of("tier", "L2"), true)).doesNotContain("Partial result");
  }
}
