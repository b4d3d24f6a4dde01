package org.openkcm.keystore.core.internal.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.api.MigrationReport;
import org.openkcm.keystore.core.internal.routing.KeyHolders;
import org.openkcm.keystore.core.internal.support.Keys;
import org.openkcm.keystore.inmemory.internal.InMemoryKeystore;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.spi.BackendInfo;
import org.openkcm.keystore.spi.Keystore;

/**
 * keystore:migrate (and the console's Migrate) onto a volatile backend of keys a persistent backend
 * holds is refused, naming what would be lost, and moves nothing; with force it moves them.
 */
class MigrationSafetyTest {
  private final InMemoryKeystore durableStore = new InMemoryKeystore("durable", 100);
  private final InMemoryKeystore volatileStore = new InMemoryKeystore("inmemory", 100);
  private Fixture fx;

  @AfterEach
  void close() {
    if (fx != null) {
      fx.close();
    }
  }

  /** The InMemory store, but saying what OpenBao says: it survives a restart. */
  private static Keystore persistent(Keystore inner) {
    return (Keystore)
        Proxy.newProxyInstance(
            Keystore.class.getClassLoader(),
            new Class<?>[] {Keystore.class},
            (p, m, a) -> {
              if (m.getName().equals("info")) {
                return new BackendInfo(
                    inner.info().name(),
                    true,
                    inner.info().maxRecordBytes(),
                    "persistent for the test");
              }
              try {
                return m.invoke(inner, a);
              } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  @Test
  void persistentKeysAreNotMovedOntoAVolatileBackendUnlessForced() throws Exception {
    fx =
        new Fixture(
            new String[] {"tier=L2,L3 -> durable"}, "inmemory", Map.of("healthInterval", "1h"));
    fx.register("durable", 0, persistent(durableStore));
    fx.register("inmemory", 0, volatileStore);
    for (int i = 0; i < 3; i++) {
      durableStore.store(
          Keys.key("tenant-" + i, KeyTier.L2, "tenant:acme", "n", "" + i),
          new byte[] {1, 2, 3, (byte) i});
    }

    assertThatThrownBy(() -> fx.manager.migrate(KeyFilter.all(), "inmemory"))
        .isInstanceOf(InvalidKeyRequestException.class)
        .hasMessageContaining("'inmemory' does not survive a restart")
        .hasMessageContaining("3 key version(s) of 'durable'")
        .hasMessageContaining("--force");
    assertThat(durableStore.list(KeyFilter.all()).items()).as("nothing moved").hasSize(3);
    assertThat(volatileStore.list(KeyFilter.all()).items()).isEmpty();

    MigrationReport forced = fx.manager.migrate(KeyFilter.all(), "inmemory", true);
    assertThat(forced.moved()).isEqualTo(3);
    assertThat(volatileStore.list(KeyFilter.all()).items()).hasSize(3);

    // back onto the persistent one needs no force
    assertThat(fx.manager.migrate(KeyFilter.all(), "durable").moved()).isEqualTo(3);
  }

  @Test
  void theRoutingLearnsThroughTheGuardsWhichConfiguredBackendsHoldKeysThatWouldBeLost()
      throws Exception {
    fx =
        new Fixture(
            new String[] {"tier=L2,L3 -> durable"}, "inmemory", Map.of("healthInterval", "1h"));
    fx.register("durable", 0, persistent(durableStore));
    fx.register("inmemory", 0, volatileStore);
    assertThat(fx.manager.holding("durable")).isEqualTo(KeyHolders.Holding.NONE);
    durableStore.store(
        Keys.key("tenant-x", KeyTier.L2, "tenant:acme", "n", "x"), new byte[] {1, 2, 3});
    volatileStore.store(
        Keys.key("dek-x", KeyTier.L4, "tenant:acme", "n", "x"), new byte[] {1, 2, 3});
    assertThat(fx.manager.holding("durable")).isEqualTo(KeyHolders.Holding.SOME);
    assertThat(fx.manager.holding("inmemory"))
        .as("volatile: nothing durable to lose")
        .isEqualTo(KeyHolders.Holding.NONE);
    assertThat(fx.manager.holding("elsewhere"))
        .as("not configured: never called")
        .isEqualTo(KeyHolders.Holding.NONE);
  }
}
