package org.openkcm.keystore.core.internal.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openkcm.keystore.core.internal.support.Keys.key;

import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.model.KeyTier;

/**
 * The out-of-the-box routing is what the shipped backend bundles declare (read here from their real
 * declaration files on the test classpath), not a list in the core.
 */
class DeclaredBackendTest {

  private static List<DeclaredBackend> shipped() throws Exception {
    List<DeclaredBackend> all = new ArrayList<>();
    for (URL u :
        Collections.list(
            DeclaredBackendTest.class.getClassLoader().getResources(DeclaredBackend.RESOURCE))) {
      try (InputStream in = u.openStream()) {
        all.addAll(DeclaredBackend.read(in));
      }
    }
    return all;
  }

  private static DeclaredBackend named(List<DeclaredBackend> all, String name) {
    return all.stream().filter(b -> b.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void theShippedBundlesDeclareL2AndL3OnOpenBaoL4OnTheVolatileFallback() throws Exception {
    List<DeclaredBackend> all = shipped();
    DeclaredBackend bao = named(all, "openbao");
    assertThat(bao.route()).isEqualTo("tier=L2,L3");
    assertThat(bao.configuredBy()).isEqualTo("address");
    assertThat(bao.pid()).isEqualTo("org.openkcm.keystore.openbao");
    assertThat(bao.fallback()).isFalse();
    DeclaredBackend mem = named(all, "inmemory");
    assertThat(mem.route()).isEqualTo("tier=L4");
    assertThat(mem.fallback()).isTrue();
    assertThat(mem.volatileStore()).isTrue();
    assertThat(named(all, "postgres").route()).isNull();

    String[] rules = {bao.route() + " -> " + bao.name(), mem.route() + " -> " + mem.name()};
    RoutingTable configured = RoutingTable.parse(rules, mem.name(), new String[0]);
    assertThat(configured.route(key("a", KeyTier.L2, "tenant:acme"))).isEqualTo("openbao");
    assertThat(configured.route(key("c", KeyTier.L4, "tenant:acme"))).isEqualTo("inmemory");
    RoutingTable unconfigured =
        RoutingTable.parse(
            rules, mem.name(), new String[0], new Fallback(Set.of(bao.name()), mem.name()));
    assertThat(unconfigured.route(key("a", KeyTier.L2, "tenant:acme"))).isEqualTo("inmemory");
    assertThat(unconfigured.redirected()).containsExactly("openbao");
    assertThat(unconfigured.configuredBackends()).containsExactly("inmemory");
  }
}
