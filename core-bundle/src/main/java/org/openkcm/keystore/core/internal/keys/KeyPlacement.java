package org.openkcm.keystore.core.internal.keys;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.openkcm.keystore.core.internal.backend.BackendDirectory;
import org.openkcm.keystore.core.internal.backend.Pages;
import org.openkcm.keystore.model.BackendSealedException;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyNotFoundException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Limits;
import org.openkcm.keystore.spi.Keystore;

/**
 * Where each key lives. New keys go where the router says; existing keys stay where they were
 * stored, so a routing change never strands them: the placement map (id -> backend name, filled on
 * create and lookup) is only a hint, and a miss searches every configured backend in the routing
 * table's order. Bounded: forgetting a hint costs one search, never correctness.
 */
final class KeyPlacement {
  private final BackendDirectory directory;
  static final int MAX_HINTS = 1_000_000;

  /**
   * A plain map, not a Caffeine cache: a hint is written on every create, and a bounded Caffeine
   * write cost ~1 µs once full (a quarter of the create floor). Bounded crudely instead: cleared
   * when full.
   */
  private final ConcurrentHashMap<String, String> hints = new ConcurrentHashMap<>();

  KeyPlacement(BackendDirectory directory) {
    this.directory = directory;
  }

  BackendDirectory directory() {
    return directory;
  }

  void remember(String keyId, String backend) {
    if (hints.size() >= MAX_HINTS) {
      hints.clear(); // only costs searches until the hot keys are hinted again
    }
    hints.put(keyId, backend.intern());
  }

  /**
   * Stores a new key's record in the backend the routing rules pick and remembers where it went. A
   * key in the first configured backend needs no hint: a lookup miss searches that backend first
   * anyway; skipping the hint saves a map write on every L4 create.
   */
  void storeNew(KeyMetadata m, byte[] sealed) throws KeystoreException {
    storeIn(route(m), m, sealed);
  }

  /**
   * @return the backend the routing rules pick for the new key {@code m}
   */
  Keystore route(KeyMetadata m) throws KeystoreException {
    return directory.route(m);
  }

  /** As {@link #storeNew}, in the backend {@link #route} picked for {@code m}. */
  void storeIn(Keystore ks, KeyMetadata m, byte[] sealed) throws KeystoreException {
    ks.store(m, sealed);
    List<Keystore> all = directory.configured();
    String name = ks.info().name();
    if (all.isEmpty() || !all.get(0).info().name().equals(name)) {
      remember(m.id(), name);
    }
  }

  void forget(String keyId) {
    hints.remove(keyId);
  }

  /**
   * @return the record and its backend, from the hinted backend or, failing that, a search
   */
  Located retrieve(KeyRef ref) throws KeystoreException {
    Keystore hinted = hinted(ref.id());
    if (hinted != null) {
      try {
        return new Located(hinted, hinted.retrieve(ref));
      } catch (KeyNotFoundException e) {
        forget(ref.id()); // moved (migration) or never there: search
      }
    }
    KeystoreException down = null;
    String skip = hinted == null ? null : hinted.info().name();
    for (Keystore ks : directory.configured()) {
      if (ks.info().name().equals(skip)) {
        continue;
      }
      try {
        Located l = new Located(ks, ks.retrieve(ref));
        remember(ref.id(), l.backend());
        return l;
      } catch (KeyNotFoundException e) {
        // try the next backend
      } catch (BackendUnavailableException | BackendSealedException e) {
        down = e; // cannot tell "absent" from "unreachable" there
      }
    }
    if (down != null) {
      throw down;
    }
    throw new KeyNotFoundException(
        ref, null, "key " + ref + " not found in any configured backend");
  }

  /**
   * @return the backend holding any version of {@code keyId}, if one does
   */
  Optional<Keystore> home(String keyId) throws KeystoreException {
    Keystore hinted = hinted(keyId);
    if (hinted != null && !hinted.list(byId(keyId, 1)).items().isEmpty()) {
      return Optional.of(hinted);
    }
    KeystoreException down = null;
    for (Keystore ks : directory.configured()) {
      try {
        if (!ks.list(byId(keyId, 1)).items().isEmpty()) {
          remember(keyId, ks.info().name());
          return Optional.of(ks);
        }
      } catch (BackendUnavailableException | BackendSealedException e) {
        down = e;
      }
    }
    if (down != null) {
      throw down;
    }
    return Optional.empty();
  }

  /**
   * @return every version of the key, ascending, from its home backend
   */
  static List<KeyMetadata> versions(Keystore home, String keyId) throws KeystoreException {
    return Pages.all(home::list, byId(keyId, Limits.MAX_PAGE_SIZE));
  }

  private Keystore hinted(String keyId) throws KeystoreException {
    String name = hints.get(keyId);
    if (name == null) {
      return null;
    }
    try {
      return directory.backend(name);
    } catch (InvalidKeyRequestException e) {
      forget(keyId); // that backend is no longer configured
      return null;
    }
  }

  static KeyFilter byId(String keyId, int pageSize) throws InvalidKeyRequestException {
    return KeyFilter.builder().keyId(keyId).pageSize(pageSize).build();
  }
}
