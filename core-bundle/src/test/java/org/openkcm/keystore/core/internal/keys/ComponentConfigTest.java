package org.openkcm.keystore.core.internal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openkcm.keystore.api.CacheStatistics;
import org.openkcm.keystore.api.CreateKeyRequest;
import org.openkcm.keystore.api.KeyHandle;
import org.openkcm.keystore.core.internal.cache.CacheConfig;
import org.openkcm.keystore.core.internal.crypto.LocalRootKeyProvider;
import org.openkcm.keystore.core.internal.crypto.RootKeyConfig;
import org.openkcm.keystore.inmemory.internal.InMemoryKeystore;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.IntegrityException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.spi.RootKeyProvider;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.ComponentServiceObjects;

/**
 * The DS side: configuration as ConfigAdmin hands it over, and the root-key provider chosen by its
 * name.
 */
class ComponentConfigTest {
  /** These tests are about the cache and root key; the reconciler schedule stays off. */
  private static final ReconcilerConfig NO_RECONCILER =
      config(ReconcilerConfig.class, Map.of("enabled", false));

  @TempDir Path dir;

  /**
   * An instance of a config annotation: the given values, the annotation's defaults for the rest.
   */
  @SuppressWarnings("unchecked")
  static <A> A config(Class<A> type, Map<String, Object> values) {
    return (A)
        Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (p, m, a) ->
                values.containsKey(m.getName()) ? values.get(m.getName()) : m.getDefaultValue());
  }

  /** A registered provider as DS hands it to a bind method: counted gets, properties. */
  static final class Registered implements ComponentServiceObjects<RootKeyProvider> {
    final RootKeyProvider provider;
    final AtomicInteger gets = new AtomicInteger();

    Registered(RootKeyProvider provider) {
      this.provider = provider;
    }

    @Override
    public RootKeyProvider getService() {
      gets.incrementAndGet();
      return provider;
    }

    @Override
    public void ungetService(RootKeyProvider service) {}

    @Override
    public ServiceReference<RootKeyProvider> getServiceReference() {
      return null;
    }
  }

  private static Map<String, Object> props(String name, int ranking, long id) {
    return Map.of(
        RootKeyProvider.PROVIDER_PROPERTY,
        name,
        Constants.SERVICE_RANKING,
        ranking,
        Constants.SERVICE_ID,
        id);
  }

  @Test
  void usesTheProviderTheConfigurationNamesAndOnlyGetsThatOne() throws Exception {
    try (LocalRootKeyProvider a = new LocalRootKeyProvider(dir.resolve("a.key"), n -> null);
        LocalRootKeyProvider b = new LocalRootKeyProvider(dir.resolve("b.key"), n -> null);
        InMemoryKeystore mem = new InMemoryKeystore("inmemory", 100)) {
      CryptoKeyService s =
          new CryptoKeyService(
              new TestDirectory(mem),
              config(CacheConfig.class, Map.of()),
              config(RootKeyConfig.class, Map.of()),
              NO_RECONCILER);
      try {
        CreateKeyRequest l2 = CreateKeyRequest.builder(KeyTier.L2, Owner.tenant("t")).build();
        assertThatThrownBy(() -> s.create(l2))
            .isInstanceOf(BackendUnavailableException.class)
            .hasMessageContaining("'local' is not available");
        Registered local = new Registered(a);
        Registered rogue = new Registered(b);
        s.bindRootKeyProvider(
            rogue, props("rogue", 1000, 1L)); // a higher ranking alone wins nothing
        s.bindRootKeyProvider(local, props("local", 0, 2L));
        KeyMetadata k1 = s.create(l2);
        assertThat(local.gets.get()).isPositive();
        assertThat(rogue.gets.get()).isZero();

        Registered newer =
            new Registered(b); // same name, higher ranking: takes over (bundle update)
        s.bindRootKeyProvider(newer, props("local", 10, 3L));
        KeyMetadata k2 = s.create(l2);
        CryptoKeyService fresh =
            new CryptoKeyService(
                new TestDirectory(mem),
                a,
                new org.openkcm.keystore.core.internal.cache.KeyCache(
                    org.openkcm.keystore.core.internal.cache.CacheSettings.defaults()));
        try (KeyHandle h = fresh.open(k1.ref())) {
          assertThat(h.metadata()).isEqualTo(k1); // wrapped under a
        }
        assertThatThrownBy(() -> fresh.open(k2.ref()))
            .isInstanceOf(IntegrityException.class); // wrapped under b
        fresh.close();

        s.unbindRootKeyProvider(newer, props("local", 10, 3L));
        s.modified(
            config(CacheConfig.class, Map.of()),
            config(RootKeyConfig.class, Map.of("provider", "rogue")),
            NO_RECONCILER);
        assertThat(s.create(l2).ref().version()).isEqualTo(1);
        assertThat(rogue.gets.get()).isPositive();
      } finally {
        s.close();
      }
    }
  }

  @Test
  void appliesCachePolicyFromConfiguration() throws Exception {
    try (InMemoryKeystore mem = new InMemoryKeystore("inmemory", 100)) {
      CacheConfig cache =
          config(CacheConfig.class, Map.of("l4_plaintext", false, "l3_maxEntries", 0));
      CryptoKeyService s =
          new CryptoKeyService(
              new TestDirectory(mem), cache, config(RootKeyConfig.class, Map.of()), NO_RECONCILER);
      try {
        assertThat(s.cache().settings().policy(KeyTier.L4).plaintextEnabled()).isFalse();
        assertThat(s.cache().settings().policy(KeyTier.L3).enabled()).isFalse();
        assertThat(s.cache().settings().policy(KeyTier.L2).maxEntries()).isEqualTo(1000);
        s.modified(
            config(CacheConfig.class, Map.of()),
            config(RootKeyConfig.class, Map.of()),
            NO_RECONCILER);
        assertThat(s.cache().settings().policy(KeyTier.L4).plaintextEnabled()).isTrue();
        assertThat(s.cacheStatistics().layers())
            .extracting(CacheStatistics.Layer::name)
            .contains("sealed L2", "plaintext L4");
      } finally {
        s.close();
      }
    }
  }
}
