package org.openkcm.keystore.core.internal.routing;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.model.InvalidConfigurationException;

/**
 * A routing rule naming a backend that does not exist used to drop 'openbao' (holder of every
 * L2/L3) from the configured set silently. Dropping a backend that holds keys is now refused unless
 * forced.
 */
class DroppedBackendsTest {
  private static final String[] DEFAULT_RULES = {"tier=L2,L3 -> openbao", "tier=L4 -> inmemory"};

  /** OpenBao's bundle declares it unconfigured without an address; inmemory is the fallback. */
  private static final Fallback OPENBAO_UNCONFIGURED =
      new Fallback(java.util.Set.of("openbao"), "inmemory");

  private static RoutingTable table(String[] rules, String def, String... lookupOnly)
      throws InvalidConfigurationException {
    return RoutingTable.parse(rules, def, lookupOnly, Fallback.NONE);
  }

  @Test
  void aTypoedBackendNameDoesNotSilentlyDropTheBackendHoldingTheKeys() throws Exception {
    RoutingTable current = table(DEFAULT_RULES, "inmemory");
    RoutingTable typo =
        table(new String[] {"tier=L2,L3 -> openbaoo", "tier=L4 -> inmemory"}, "inmemory");
    KeyHolders openbaoHoldsKeys =
        name ->
            Map.of("openbao", KeyHolders.Holding.SOME).getOrDefault(name, KeyHolders.Holding.NONE);
    assertThatThrownBy(() -> DroppedBackends.check(current, typo, openbaoHoldsKeys))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("'openbao' (holds keys)")
        .hasMessageContaining("unreachable")
        .hasMessageContaining("routing.force");
    KeyHolders cannotTell =
        name -> name.equals("openbao") ? KeyHolders.Holding.UNKNOWN : KeyHolders.Holding.NONE;
    assertThatThrownBy(() -> DroppedBackends.check(current, typo, cannotTell))
        .hasMessageContaining("could not be asked");
  }

  @Test
  void keepingItLookupOnlyOrDroppingAnEmptyBackendIsFine() throws Exception {
    RoutingTable current = table(DEFAULT_RULES, "inmemory");
    KeyHolders openbaoHoldsKeys =
        name -> name.equals("openbao") ? KeyHolders.Holding.SOME : KeyHolders.Holding.NONE;
    RoutingTable moved = table(new String[] {"tier=L2,L3 -> vault"}, "inmemory", "openbao");
    assertThatCode(() -> DroppedBackends.check(current, moved, openbaoHoldsKeys))
        .doesNotThrowAnyException();
    RoutingTable withoutOpenBao = table(new String[] {"tier=L2,L3 -> vault"}, "inmemory");
    assertThatCode(
            () -> DroppedBackends.check(current, withoutOpenBao, name -> KeyHolders.Holding.NONE))
        .doesNotThrowAnyException();
    // OpenBao losing its address is not a routing change: its routes fall back to inmemory, loudly,
    // elsewhere
    RoutingTable fallback =
        RoutingTable.parse(DEFAULT_RULES, "inmemory", new String[0], OPENBAO_UNCONFIGURED);
    assertThatCode(() -> DroppedBackends.check(current, fallback, openbaoHoldsKeys))
        .doesNotThrowAnyException();
  }
}
