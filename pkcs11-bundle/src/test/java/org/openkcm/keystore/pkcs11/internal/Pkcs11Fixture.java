package org.openkcm.keystore.pkcs11.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.openkcm.keystore.core.internal.backend.BackendDirectory;
import org.openkcm.keystore.core.internal.backend.CallLayer;
import org.openkcm.keystore.core.internal.cache.CacheSettings;
import org.openkcm.keystore.core.internal.cache.KeyCache;
import org.openkcm.keystore.core.internal.keys.CryptoKeyService;
import org.openkcm.keystore.inmemory.internal.InMemoryKeystore;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.pkcs11.testing.SoftHsm;
import org.openkcm.keystore.spi.Keystore;
import org.openkcm.keystore.spi.RootKeyProvider;

/** Builds providers on a real SoftHSM2 token and the real core over the real InMemory backend. */
final class Pkcs11Fixture {
  static final String ENV = "TEST_PKCS11_PIN";
  final Map<String, String> env = new ConcurrentHashMap<>();

  Pkcs11Fixture() {
    env.put(ENV, SoftHsm.PIN);
  }

  static Pkcs11Settings settings(SoftHsm hsm, String keyLabel, boolean create, String previous) {
    return settings(hsm.library, hsm, keyLabel, create, previous);
  }

  static Pkcs11Settings settings(
      Path library, SoftHsm hsm, String keyLabel, boolean create, String previous) {
    return new Pkcs11Settings(
        library,
        hsm.slot,
        0,
        "",
        keyLabel,
        ENV,
        null,
        create,
        previous,
        true,
        Duration.ofMillis(100));
  }

  Pkcs11RootKeyProvider provider(Pkcs11Settings s, Function<String, RootKeyProvider> previous) {
    return new Pkcs11RootKeyProvider(s, env::get, previous);
  }

  Pkcs11RootKeyProvider provider(SoftHsm hsm, String keyLabel, boolean create) {
    return provider(settings(hsm, keyLabel, create, ""), n -> null);
  }

  /**
   * @return a fresh core (empty caches) over the given store and root
   */
  static CryptoKeyService core(Keystore store, RootKeyProvider root) {
    return new CryptoKeyService(
        new OneBackend(CallLayer.over(store)), root, new KeyCache(CacheSettings.defaults()));
  }

  static InMemoryKeystore memory() {
    return new InMemoryKeystore("inmemory", 10_000);
  }

  /**
   * @return the root-wrapped DEK inside an L2's sealed record (format 1: bytes 4-5 length, then the
   *     wrap)
   */
  static byte[] rootWrap(byte[] sealed) {
    int n = ((sealed[4] & 0xff) << 8) | (sealed[5] & 0xff);
    return java.util.Arrays.copyOfRange(sealed, 6, 6 + n);
  }

  record OneBackend(Keystore k) implements BackendDirectory {
    @Override
    public Keystore route(KeyMetadata newKey) {
      return k;
    }

    @Override
    public List<Keystore> configured() {
      return List.of(k);
    }

    @Override
    public Keystore backend(String name) {
      return k;
    }

    @Override
    public Page<KeyMetadata> list(KeyFilter filter) throws KeystoreException {
      return k.list(filter);
    }
  }

  static Path unused() {
    return Path.of("unused.key");
  }
}
