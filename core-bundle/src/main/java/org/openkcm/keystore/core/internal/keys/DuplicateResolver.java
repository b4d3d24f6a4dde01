package org.openkcm.keystore.core.internal.keys;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.openkcm.keystore.core.internal.backend.BackendDirectory;
import org.openkcm.keystore.core.internal.backend.KeyMigrator;
import org.openkcm.keystore.core.internal.backend.Pages;
import org.openkcm.keystore.core.internal.backend.Records;
import org.openkcm.keystore.core.internal.cache.KeyCache;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyNotFoundException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.spi.KeyRecord;
import org.openkcm.keystore.spi.Keystore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Migration leftovers: a record held by two backends (a migration stopped between copy and source
 * delete, docs/core.md). Equal copies (metadata and sealed bytes): the copy in the backend that
 * routing sends such a key to now is kept and the others deleted, which is what re-running the
 * migration would do; if routing points at none of the holders, both stay (a migration to a
 * lookup-only backend: re-run it). Different copies: a conflict, logged and left alone for an
 * operator. Skipped while a migration runs in this runtime (its duplicates are its own verified
 * copies). Lists every backend's metadata: cost grows with the key count.
 */
final class DuplicateResolver {
  private static final Logger LOG = LoggerFactory.getLogger(DuplicateResolver.class);

  private final BackendDirectory directory;
  private final Supplier<KeyCache> cache;

  DuplicateResolver(BackendDirectory directory, Supplier<KeyCache> cache) {
    this.directory = directory;
    this.cache = cache;
  }

  void resolve(SagaReconciler.Counts c) {
    List<Keystore> backends = directory.configured();
    if (backends.size() < 2 || KeyMigrator.running()) {
      return;
    }
    Map<KeyRef, List<Keystore>> holders = new LinkedHashMap<>();
    try {
      for (Keystore k : backends) {
        for (KeyRef ref : refs(k)) {
          holders.computeIfAbsent(ref, r -> new ArrayList<>()).add(k);
        }
      }
    } catch (KeystoreException e) {
      c.failed++;
      LOG.warn(
          "Reconciler: cannot list every backend now ({}); duplicates next pass", e.getMessage());
      return;
    }
    for (Map.Entry<KeyRef, List<Keystore>> e : holders.entrySet()) {
      if (e.getValue().size() > 1) {
        try {
          resolveOne(e.getKey(), e.getValue(), c);
        } catch (KeyNotFoundException gone) {
          // changed meanwhile: next pass
        } catch (KeystoreException ex) {
          c.failed++;
          LOG.warn("Reconciler: duplicate {} not resolved yet ({})", e.getKey(), ex.getMessage());
        }
      }
    }
  }

  private void resolveOne(KeyRef ref, List<Keystore> holders, SagaReconciler.Counts c)
      throws KeystoreException {
    List<KeyRecord> copies = new ArrayList<>();
    for (Keystore k : holders) {
      copies.add(k.retrieve(ref));
    }
    for (KeyRecord r : copies.subList(1, copies.size())) {
      if (!Records.same(copies.get(0), r)) {
        c.conflicts++;
        LOG.error(
            "Reconciler: {} is held by {} with different content; left alone for an operator",
            ref,
            holders.stream().map(k -> k.info().name()).toList());
        return;
      }
    }
    String routed = directory.route(copies.get(0).metadata()).info().name();
    Keystore keep =
        holders.stream().filter(k -> k.info().name().equals(routed)).findFirst().orElse(null);
    if (keep == null) {
      LOG.warn(
          "Reconciler: {} is held by {}, routing sends it to '{}': left for a re-run of the migration",
          ref,
          holders.stream().map(k -> k.info().name()).toList(),
          routed);
      return;
    }
    for (Keystore k : holders) {
      if (k != keep) {
        k.delete(ref);
      }
    }
    cache.get().invalidate(ref);
    c.duplicates++;
    LOG.info("Reconciler: duplicate {} resolved, the copy in '{}' kept", ref, routed);
  }

  private static List<KeyRef> refs(Keystore k) throws KeystoreException {
    return Pages.all(k::list, KeyFilter.all()).stream().map(KeyMetadata::ref).toList();
  }
}
