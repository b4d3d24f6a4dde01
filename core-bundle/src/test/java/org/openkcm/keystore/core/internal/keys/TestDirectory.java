package org.openkcm.keystore.core.internal.keys;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.openkcm.keystore.core.internal.backend.BackendDirectory;
import org.openkcm.keystore.core.internal.backend.CallLayer;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Limits;
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.spi.Keystore;

/**
 * A plain BackendDirectory over fixed Keystores for unit tests: route by tier, list merged by (id,
 * version). Each Keystore is behind the core's call layer ({@link CallLayer}), as in the runtime.
 */
final class TestDirectory implements BackendDirectory {
  private final Map<String, Keystore> byName = new LinkedHashMap<>();
  private final Map<KeyTier, String> routes = new TreeMap<>();

  TestDirectory(Keystore... keystores) {
    for (Keystore k : keystores) {
      byName.put(k.info().name(), CallLayer.over(k));
    }
    String first = keystores[0].info().name();
    for (KeyTier t : KeyTier.values()) {
      routes.put(t, first);
    }
  }

  /**
   * Routes new keys of {@code tier} to {@code backend} from now on (existing keys stay where they
   * are).
   */
  TestDirectory route(KeyTier tier, String backend) {
    routes.put(tier, backend);
    return this;
  }

  @Override
  public Keystore route(KeyMetadata newKey) {
    return byName.get(routes.get(newKey.tier()));
  }

  @Override
  public List<Keystore> configured() {
    return List.copyOf(byName.values());
  }

  @Override
  public Keystore backend(String name) throws KeystoreException {
    Keystore k = byName.get(name);
    if (k == null) {
      throw new InvalidKeyRequestException("backend", "no backend '" + name + "' configured");
    }
    return k;
  }

  @Override
  public Page<KeyMetadata> list(KeyFilter filter) throws KeystoreException {
    TreeMap<KeyRef, KeyMetadata> merged = new TreeMap<>();
    for (Keystore k : byName.values()) {
      KeyFilter f = filter.withPageSize(Limits.MAX_PAGE_SIZE);
      while (true) {
        Page<KeyMetadata> p = k.list(f);
        p.items().forEach(m -> merged.put(m.ref(), m));
        if (p.nextCursor().isEmpty() || p.items().isEmpty()) {
          break;
        }
        f = f.after(p.items().get(p.items().size() - 1).ref());
      }
    }
    Iterator<KeyMetadata> it = new ArrayList<>(merged.values()).iterator();
    return filter.collectPage(it);
  }
}
