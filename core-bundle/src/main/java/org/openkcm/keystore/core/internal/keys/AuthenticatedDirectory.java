package org.openkcm.keystore.core.internal.keys;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.openkcm.keystore.core.internal.backend.BackendDirectory;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.spi.Keystore;

/**
 * The crypto core's view of the backends: every backend of the directory (each already behind the
 * one call layer, see {@code backend.GuardedKeystore}) wrapped in {@link AuthenticatedKeystore},
 * listings' records checked ({@link StateKeys#inspect}). Wrappers are kept per backend object (the
 * directory hands out stable guarded objects), so the hot paths (create, retrieve) allocate nothing
 * extra.
 */
final class AuthenticatedDirectory implements BackendDirectory {
  private final BackendDirectory delegate;
  private final StateKeys keys;
  private final Map<Keystore, Keystore> wrappers = new ConcurrentHashMap<>();
  private volatile Snapshot configured = new Snapshot(List.of(), List.of());

  private record Snapshot(List<Keystore> raw, List<Keystore> wrapped) {}

  AuthenticatedDirectory(BackendDirectory delegate, StateKeys keys) {
    this.delegate = delegate;
    this.keys = keys;
  }

  @Override
  public Keystore route(KeyMetadata newKey) throws KeystoreException {
    return wrapped(delegate.route(newKey));
  }

  @Override
  public List<Keystore> configured() {
    List<Keystore> raw = delegate.configured();
    Snapshot s = configured;
    if (sameElements(raw, s.raw())) {
      return s.wrapped();
    }
    List<Keystore> wrapped = raw.stream().map(this::wrapped).toList();
    configured = new Snapshot(List.copyOf(raw), wrapped);
    return wrapped;
  }

  private Keystore wrapped(Keystore k) {
    if (wrappers.size() > 1000) {
      wrappers.clear(); // only ever a handful of backends; bounded anyway
    }
    return wrappers.computeIfAbsent(k, raw -> new AuthenticatedKeystore(raw, keys));
  }

  private static boolean sameElements(List<Keystore> a, List<Keystore> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i) != b.get(i)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public Keystore backend(String name) throws KeystoreException {
    return wrapped(delegate.backend(name));
  }

  @Override
  public Page<KeyMetadata> list(KeyFilter filter) throws KeystoreException {
    return AuthenticatedKeystore.inspected(delegate.list(filter), keys);
  }

  @Override
  public Page<KeyMetadata> listReachable(KeyFilter filter) throws KeystoreException {
    return AuthenticatedKeystore.inspected(delegate.listReachable(filter), keys);
  }
}
