package org.openkcm.keystore.core.internal.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.openkcm.keystore.core.internal.support.Keys.key;

import org.junit.jupiter.api.Test;
import org.openkcm.keystore.model.InvalidConfigurationException;
import org.openkcm.keystore.model.KeyTier;

class RoutingTableTest {
  private static final String[] DEFAULT_RULES = {"tier=L2,L3 -> openbao", "tier=L4 -> inmemory"};

  /** OpenBao's bundle declares it unconfigured without an address; inmemory is the fallback. */
  private static final Fallback OPENBAO_UNCONFIGURED =
      new Fallback(java.util.Set.of("openbao"), "inmemory");

  @Test
  void outOfTheBoxL2AndL3GoToOpenBaoAndL4ToInMemory() throws Exception {
    RoutingTable t = RoutingTable.parse(DEFAULT_RULES, "inmemory", new String[0], Fallback.NONE);
    assertThat(t.route(key("a", KeyTier.L2, "tenant:acme"))).isEqualTo("openbao");
    assertThat(t.route(key("b", KeyTier.L3, "service:billing"))).isEqualTo("openbao");
    assertThat(t.route(key("c", KeyTier.L4, "node:n1"))).isEqualTo("inmemory");
    assertThat(t.configuredBackends()).containsExactly("openbao", "inmemory");
    assertThat(t.redirected()).isEmpty();
  }

  @Test
  void withoutOpenBaoEveryTierGoesToInMemory() throws Exception {
    RoutingTable t =
        RoutingTable.parse(
            DEFAULT_RULES, "openbao", new String[] {"openbao"}, OPENBAO_UNCONFIGURED);
    for (KeyTier tier : KeyTier.values()) {
      assertThat(t.route(key("k" + tier, tier, "tenant:acme"))).isEqualTo("inmemory");
    }
    assertThat(t.configuredBackends()).containsExactly("inmemory");
    assertThat(t.isConfigured("openbao")).isFalse();
    assertThat(t.redirected()).containsExactly("openbao");
  }

  @Test
  void firstMatchWinsByOwnerGlobThenTagThenDefault() throws Exception {
    RoutingTable t =
        RoutingTable.parse(
            new String[] {
              "tier=L3 owner=tenant:eu-* -> bao-eu",
              "tag.region=us* -> bao-us",
              "owner=*:acme -> acme-store",
              "tier=L3 -> bao-eu"
            },
            "inmemory",
            new String[] {"legacy"},
            Fallback.NONE);
    assertThat(t.route(key("a", KeyTier.L3, "tenant:eu-42"))).isEqualTo("bao-eu");
    // the owner rule does not match a service named eu-42, the later tier rule does
    assertThat(t.route(key("b", KeyTier.L3, "service:eu-42", "region", "us-east")))
        .isEqualTo("bao-us");
    assertThat(t.route(key("c", KeyTier.L2, "tenant:eu-42", "region", "us-west")))
        .isEqualTo("bao-us");
    assertThat(t.route(key("d", KeyTier.L2, "service:acme"))).isEqualTo("acme-store");
    assertThat(t.route(key("e", KeyTier.L4, "tenant:other", "region", "eu"))).isEqualTo("inmemory");
    assertThat(t.configuredBackends())
        .containsExactly("bao-eu", "bao-us", "acme-store", "inmemory", "legacy");
    assertThat(t.views())
        .extracting(v -> v.condition() + " -> " + v.backend())
        .containsExactly(
            "tier=L3 owner=tenant:eu-* -> bao-eu",
            "tag.region=us* -> bao-us",
            "owner=*:acme -> acme-store",
            "tier=L3 -> bao-eu",
            "default -> inmemory");
  }

  @Test
  void globsMatchWholeValuesOnly() throws Exception {
    RoutingTable t =
        RoutingTable.parse(new String[] {"owner=tenant:eu-? -> x"}, "y", null, Fallback.NONE);
    assertThat(t.route(key("a", KeyTier.L2, "tenant:eu-1"))).isEqualTo("x");
    assertThat(t.route(key("b", KeyTier.L2, "tenant:eu-12"))).isEqualTo("y");
    assertThat(t.route(key("c", KeyTier.L2, "tenant:xeu-1"))).isEqualTo("y");
  }

  @Test
  void invalidRulesAreRejectedNamingTheField() {
    assertField(new String[] {"tier=L5 -> x"}, "y", "routing.rules[0].tier");
    assertField(new String[] {"tier=L2 -> x", "tier=L3"}, "y", "routing.rules[1]");
    assertField(new String[] {"color=red -> x"}, "y", "routing.rules[0]");
    assertField(new String[] {"owner=acme -> x"}, "y", "routing.rules[0].owner");
    assertField(new String[] {"owner=planet:acme -> x"}, "y", "routing.rules[0].owner");
    assertField(new String[] {"tier=L2 -> Not A Name"}, "y", "routing.rules[0].backend");
    assertField(new String[0], "", "routing.defaultBackend");
  }

  private static void assertField(String[] rules, String def, String field) {
    assertThatThrownBy(() -> RoutingTable.parse(rules, def, null, Fallback.NONE))
        .isInstanceOf(InvalidConfigurationException.class)
        .satisfies(e -> assertThat(((InvalidConfigurationException) e).field()).hasValue(field));
  }
}
