package org.openkcm.keystore.benchmarks;

import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.openkcm.keystore.api.CreateKeyRequest;
import org.openkcm.keystore.api.KeyHandle;
import org.openkcm.keystore.core.internal.backend.BackendDirectory;
import org.openkcm.keystore.core.internal.backend.CallLayer;
import org.openkcm.keystore.core.internal.cache.CacheSettings;
import org.openkcm.keystore.core.internal.cache.KeyCache;
import org.openkcm.keystore.core.internal.crypto.LocalRootKeyProvider;
import org.openkcm.keystore.core.internal.crypto.ThreadCrypto;
import org.openkcm.keystore.core.internal.keys.CryptoKeyService;
import org.openkcm.keystore.inmemory.internal.InMemoryKeystore;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.spi.Keystore;

/**
 * The full core over the real InMemory backend, with one tenant L2 and one service L3 to create L4s
 * under.
 */
final class BenchCore implements AutoCloseable {
  final InMemoryKeystore memory = new InMemoryKeystore("inmemory", 20_000_000);
  final LocalRootKeyProvider root;
  final CryptoKeyService service;
  final KeyMetadata l3;
  final CreateKeyRequest l4Request;

  BenchCore(CacheSettings settings) throws KeystoreException {
    String masterKey = Base64.getEncoder().encodeToString(ThreadCrypto.randomBytes(32));
    root = new LocalRootKeyProvider(Path.of("unused.key"), n -> masterKey);
    service =
        new CryptoKeyService(new OneBackend(CallLayer.over(memory)), root, new KeyCache(settings));
    KeyMetadata l2 =
        service.create(CreateKeyRequest.builder(KeyTier.L2, Owner.tenant("bench")).build());
    l3 =
        service.create(
            CreateKeyRequest.builder(KeyTier.L3, Owner.service("bench")).parentId(l2.id()).build());
    l4Request =
        CreateKeyRequest.builder(KeyTier.L4, Owner.service("bench")).parentId(l3.id()).build();
  }

  /**
   * @return the L3's material, for the floor to wrap under the same parent key
   */
  byte[] l3Material() throws KeystoreException {
    try (KeyHandle h = service.open(l3.ref())) {
      return h.copyMaterial();
    }
  }

  @Override
  public void close() {
    service.close();
    root.close();
    memory.close();
  }

  /** The simplest directory: one backend for every tier. */
  private record OneBackend(Keystore k) implements BackendDirectory {
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
}
