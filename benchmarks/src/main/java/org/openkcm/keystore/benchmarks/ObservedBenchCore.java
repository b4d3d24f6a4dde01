package org.openkcm.keystore.benchmarks;

import org.openkcm.keystore.api.CreateKeyRequest;
import org.openkcm.keystore.api.KeyService;
import org.openkcm.keystore.core.internal.cache.CacheSettings;
import org.openkcm.keystore.core.internal.crypto.LocalRootKeyProvider;
import org.openkcm.keystore.core.internal.keys.CryptoKeyService;
import org.openkcm.keystore.core.internal.observe.ObservedKeyService;
import org.openkcm.keystore.core.internal.observe.Observers;
import org.openkcm.keystore.core.internal.routing.RoutingTable;
import org.openkcm.keystore.model.KeystoreException;

/** {@link BenchCore} with the door other bundles get (the observed KeyService) on top. */
public final class ObservedBenchCore implements AutoCloseable {
  private final BenchCore core;
  public final CryptoKeyService service;
  public final LocalRootKeyProvider root;
  public final CreateKeyRequest l4Request;
  private final RoutingTable table;

  public ObservedBenchCore() throws KeystoreException {
    core = new BenchCore(CacheSettings.defaults());
    service = core.service;
    root = core.root;
    l4Request = core.l4Request;
    table = RoutingTable.parse(new String[0], "inmemory", new String[0]);
  }

  /**
   * @return the observed door over the same core, reporting to {@code observers}
   */
  public KeyService door(Observers observers) {
    return new ObservedKeyService(service, observers, () -> table, "bench");
  }

  @Override
  public void close() {
    core.close();
  }
}
