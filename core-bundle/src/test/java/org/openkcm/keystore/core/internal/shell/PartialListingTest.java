package org.openkcm.keystore.core.internal.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openkcm.keystore.core.internal.backend.Fixtures;
import org.openkcm.keystore.core.internal.cache.CacheSettings;
import org.openkcm.keystore.core.internal.cache.KeyCache;
import org.openkcm.keystore.core.internal.crypto.LocalRootKeyProvider;
import org.openkcm.keystore.core.internal.keys.CryptoKeyService;
import org.openkcm.keystore.inmemory.internal.InMemoryKeystore;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.spi.Keystore;

/**
 * One backend down (OpenBao absent): listings say they are partial, keys of healthy backends keep
 * working.
 */
class PartialListingTest {
  private Fixtures fx;
  private final InMemoryKeystore edge = new InMemoryKeystore("inmemory", 100);
  private final InMemoryKeystore bao = new InMemoryKeystore("openbao", 100);
  private volatile boolean baoDown;
  private LocalRootKeyProvider root;
  private CryptoKeyService core;
  private KeystoreCommands shell;

  @BeforeEach
  void setUp(@TempDir Path dir) throws Exception {
    fx = new Fixtures(new String[] {"tier=L2,L3 -> openbao", "tier=L4 -> inmemory"}, "inmemory");
    fx.register("openbao", 0, downWhenAsked(bao));
    fx.register("inmemory", 0, edge);
    root = new LocalRootKeyProvider(dir.resolve("master.key"), n -> null);
    core = new CryptoKeyService(fx.manager(), root, new KeyCache(CacheSettings.defaults()));
    shell = new KeystoreCommands(fx.manager(), fx.manager(), core);
    shell.create("L2", "tenant:acme", new String[] {"id=acme"});
    shell.create("L3", "service:billing", new String[] {"id=billing", "parent=acme"});
    shell.create("L4", "service:billing", new String[] {"id=dek", "parent=billing"});
  }

  @AfterEach
  void tearDown() throws Exception {
    core.close();
    root.close();
    fx.close();
  }

  @Test
  void listingsReturnWhatReachableBackendsHoldAndNameTheUnavailableOnes() throws Exception {
    baoDown = true;
    String out = shell.list("tier=L4");
    assertThat(out)
        .contains("dek@1")
        .contains("1 key(s)")
        .contains("PARTIAL: backend(s) unavailable: openbao")
        .doesNotContain("error:");
    Page<KeyMetadata> page = core.list(KeyFilter.builder().build());
    assertThat(page.items()).extracting(m -> m.ref().id()).containsExactly("dek");
    assertThat(page.partial()).isTrue();
    assertThat(page.unavailableBackends()).containsExactly("openbao");
    assertThat(
            fx.manager()
                .listReachable(KeyFilter.builder().tier(KeyTier.L4).build())
                .unavailableBackends())
        .containsExactly("openbao");
    // the core's own decisions (children, emptiness) never rest on a partial view
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> fx.manager().list(KeyFilter.builder().build()))
        .isInstanceOf(BackendUnavailableException.class);

    baoDown = false;
    Page<KeyMetadata> whole = core.list(KeyFilter.builder().build());
    assertThat(whole.partial()).isFalse();
    assertThat(whole.items()).hasSize(3);
    assertThat(shell.list()).doesNotContain("PARTIAL");
  }

  @Test
  void keysOfAHealthyBackendKeepWorkingWhileAnotherIsDown() {
    baoDown = true;
    assertThat(shell.show("dek@1")).contains("backend:   inmemory").doesNotContain("error:");
    assertThat(shell.show("dek")).contains("dek@1").doesNotContain("error:");
    assertThat(shell.get("dek")).contains("roundtrip: ok");
    // a key that may live in the unreachable backend is not called "not found"
    assertThat(shell.show("acme@1")).startsWith("error: BackendUnavailable").contains("openbao");
  }

  private Keystore downWhenAsked(Keystore real) {
    return (Keystore)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {Keystore.class},
            (p, m, args) -> {
              if (baoDown && !m.getName().equals("info") && !m.getName().equals("health")) {
                throw new BackendUnavailableException("openbao", "connection refused", null);
              }
              try {
                return m.invoke(real, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }
}
