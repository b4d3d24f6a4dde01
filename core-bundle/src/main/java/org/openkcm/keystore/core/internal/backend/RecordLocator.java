package org.openkcm.keystore.core.internal.backend;

import java.util.ArrayList;
import java.util.List;
import org.openkcm.keystore.api.KeyLocation;
import org.openkcm.keystore.model.BackendSealedException;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.KeyNotFoundException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.spi.KeyRecord;
import org.openkcm.keystore.spi.Keystore;

/**
 * Finds which configured backend holds a record. A backend that is down does not stop the search:
 * another one may hold the record; only when none reachable does, the unavailable ones are named.
 */
final class RecordLocator {

  private RecordLocator() {}

  static KeyLocation locate(List<Keystore> configured, KeyRef ref) throws KeystoreException {
    List<String> down = new ArrayList<>();
    BackendUnavailableException firstDown = null;
    for (Keystore k : configured) {
      try {
        KeyRecord r = k.retrieve(ref);
        return new KeyLocation(ref, k.info().name(), r.revision(), r.sealedLength());
      } catch (KeyNotFoundException e) {
        // the next backend may hold it
      } catch (BackendUnavailableException | BackendSealedException e) {
        down.add(k.info().name());
        if (firstDown == null && e instanceof BackendUnavailableException u) {
          firstDown = u;
        }
      }
    }
    if (!down.isEmpty()) {
      throw new BackendUnavailableException(
          String.join(",", down),
          ref,
          "key " + ref + " is in no reachable backend; not checked: " + String.join(", ", down),
          null,
          firstDown);
    }
    throw new KeyNotFoundException(ref, null, "key " + ref + " is in no configured backend");
  }
}
