package org.openkcm.keystore.core.internal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openkcm.keystore.api.CacheStatistics;
import org.openkcm.keystore.core.internal.cache.CacheConfig;
import org.openkcm.keystore.core.internal.crypto.LocalRootKeyProvider;
import org.openkcm.keystore.core.internal.crypto.RootKeyConfig;
import org.openkcm.keystore.inmemory.internal.InMemoryKeystore;
import org.openkcm.keystore.model.KeyTier;

/** The DS constructor: configuration as ConfigAdmin would hand it over (metatype defaults + overrides). */
class ComponentConfigTest {
    @TempDir
    Path dir;

    /** An instance of a config annotation: the given values, the annotation's defaults for the rest. */
    @SuppressWarnings("unchecked")
    static <A> A config(Class<A> type, Map<String, Object> values) {
        return (A) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (p, m, a) -> values.containsKey(m.getName()) ? values.get(m.getName()) : m.getDefaultValue());
    }

    @Test
    void refusesToStartWhenTheConfiguredProviderIsNotTheBoundOne() {
        try (LocalRootKeyProvider root = new LocalRootKeyProvider(dir.resolve("m.key"), n -> null);
                InMemoryKeystore mem = new InMemoryKeystore("inmemory", 10)) {
            RootKeyConfig wrong = config(RootKeyConfig.class, Map.of("provider", "openbao-transit"));
            assertThatThrownBy(() -> new CryptoKeyService(new TestDirectory(mem), root, config(CacheConfig.class, Map.of()), wrong))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("openbao-transit").hasMessageContaining("'local'");
        }
    }

    @Test
    void appliesCachePolicyFromConfiguration() throws Exception {
        try (LocalRootKeyProvider root = new LocalRootKeyProvider(dir.resolve("m.key"), n -> null);
                InMemoryKeystore mem = new InMemoryKeystore("inmemory", 100)) {
            CacheConfig cache = config(CacheConfig.class, Map.of("l4_plaintext", false, "l3_maxEntries", 0));
            CryptoKeyService s = new CryptoKeyService(new TestDirectory(mem), root, cache, config(RootKeyConfig.class, Map.of()));
            try {
                assertThat(s.cache().settings().policy(KeyTier.L4).plaintextEnabled()).isFalse();
                assertThat(s.cache().settings().policy(KeyTier.L3).enabled()).isFalse();
                assertThat(s.cache().settings().policy(KeyTier.L2).maxEntries()).isEqualTo(1000);
                s.modified(config(CacheConfig.class, Map.of()));
                assertThat(s.cache().settings().policy(KeyTier.L4).plaintextEnabled()).isTrue();
                assertThat(s.cacheStatistics().layers()).extracting(CacheStatistics.Layer::name)
                        .contains("sealed L2", "plaintext L4");
            } finally {
                s.close();
            }
        }
    }
}
