package org.openkcm.keystore.core.internal.keys;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.openkcm.keystore.api.CreateKeyRequest;
import org.openkcm.keystore.core.internal.cache.CacheSettings;
import org.openkcm.keystore.core.internal.cache.KeyCache;
import org.openkcm.keystore.core.internal.crypto.LocalRootKeyProvider;
import org.openkcm.keystore.inmemory.internal.InMemoryKeystore;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.spi.KeyRecord;

/**
 * A crypto core over a real InMemory backend (behind a fault injector) and a local root key in a
 * temp dir.
 */
final class CoreFixture implements AutoCloseable {
  final InMemoryKeystore memory = new InMemoryKeystore("inmemory", 100_000);
  final FaultyKeystore backend = new FaultyKeystore(memory);
  final TestDirectory directory = new TestDirectory(backend);
  final LocalRootKeyProvider root;
  CryptoKeyService service;

  CoreFixture(Path dir) {
    this(dir, CacheSettings.defaults());
  }

  CoreFixture(Path dir, CacheSettings settings) {
    root = new LocalRootKeyProvider(dir.resolve("master.key"), name -> null);
    service = new CryptoKeyService(directory, root, new KeyCache(settings));
  }

  /**
   * @return a new core over the same backend and root key: nothing cached, as after a restart
   */
  CryptoKeyService restart() {
    service.close();
    service = new CryptoKeyService(directory, root, new KeyCache(CacheSettings.defaults()));
    return service;
  }

  KeyMetadata l2(String tenant) throws KeystoreException {
    return service.create(CreateKeyRequest.builder(KeyTier.L2, Owner.tenant(tenant)).build());
  }

  KeyMetadata child(KeyTier tier, String parentId) throws KeystoreException {
    return service.create(
        CreateKeyRequest.builder(tier, Owner.service("svc")).parentId(parentId).build());
  }

  /**
   * @return the record as the backend holds it, without the core's state tag (checked elsewhere)
   */
  KeyRecord stored(KeyRef ref) throws KeystoreException {
    KeyRecord r = memory.retrieve(ref);
    return new KeyRecord(StateKeys.strip(r.metadata()), r.sealed(), r.revision());
  }

  /**
   * @return every record the backend holds
   */
  List<KeyRecord> everythingStored() throws KeystoreException {
    List<KeyRecord> out = new ArrayList<>();
    KeyFilter f = KeyFilter.all().withPageSize(1000);
    while (true) {
      Page<KeyMetadata> p = memory.list(f);
      for (KeyMetadata m : p.items()) {
        out.add(memory.retrieve(m.ref()));
      }
      if (p.nextCursor().isEmpty()) {
        return out;
      }
      f = f.after(p.items().get(p.items().size() - 1).ref());
    }
  }

  @Override
  public void close() {
    service.close();
    root.close();
    memory.close();
  }
}
