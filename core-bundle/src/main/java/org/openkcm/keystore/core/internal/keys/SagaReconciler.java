package org.openkcm.keystore.core.internal.keys;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.openkcm.keystore.core.internal.backend.Pages;
import org.openkcm.keystore.core.internal.cache.KeyCache;
import org.openkcm.keystore.core.internal.crypto.EnvelopeSealer;
import org.openkcm.keystore.model.IntegrityException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyNotFoundException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.spi.Keystore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes or rolls back what a crash or fault left half-done, across every configured backend.
 * Only intent records older than the grace period are touched (a younger one may belong to a saga
 * still running, on this node or another). Rules (docs/transactions.md):
 *
 * <ul>
 *   <li>PENDING version n tagged {@code rotate-from:k} (untagged: k = n-1): if version k is
 *       DEPRECATED and the key has no ACTIVE version, the rotation got past step 2: finish it (n ->
 *       ACTIVE, tag removed); otherwise roll it back (delete n).
 *   <li>Any record tagged {@code destroy}: roll the destroy forward, children first (shredding
 *       cannot be undone, and the caller may have been told it failed only after part of it
 *       happened), by the one reconciler whose claim on the key lands.
 *   <li>A record held by two backends: see {@link DuplicateResolver}.
 * </ul>
 *
 * Each rule is idempotent: running a pass twice, or on two nodes, gives the same end state.
 */
final class SagaReconciler {
  private static final Logger LOG = LoggerFactory.getLogger(SagaReconciler.class);

  private final KeyPlacement placement;
  private final KeyDestroyer destroyer;
  private final KeyChildren children;
  private final Supplier<KeyCache> cache;
  private final IntentClaims claims = new IntentClaims();

  /** When to list claimed destroy intents next (a claimant that died leaves one). */
  private Instant nextClaimedScan = Instant.EPOCH;

  SagaReconciler(
      KeyPlacement placement,
      KeyDestroyer destroyer,
      KeyChildren children,
      Supplier<KeyCache> cache) {
    this.placement = placement;
    this.destroyer = destroyer;
    this.children = children;
    this.cache = cache;
  }

  /**
   * @return the record re-read from its backend if the core authenticated its state there (sealed
   *     format 2: the state MAC verified at the record's revision), else null: an intent the core
   *     did not write (planted in the backend, or on a format-1 record whose tags nobody
   *     authenticated) is never obeyed
   */
  private Located authenticated(KeyMetadata listed) throws KeystoreException {
    if (StateKeys.isCorrupt(listed)) {
      LOG.warn(
          "Reconciler: {} carries an intent whose state fails authentication; ignored (destroy it as an operator)",
          listed.ref());
      return null;
    }
    Located l;
    try {
      l = placement.retrieve(listed.ref());
    } catch (IntegrityException e) {
      LOG.warn("Reconciler: ignored {}: {}", listed.ref(), e.getMessage());
      return null;
    }
    if (!EnvelopeSealer.requiresAuthenticatedState(l.record().sealed())) {
      LOG.warn(
          "Reconciler: {} is a sealed-format-1 record whose intent is not authenticated; ignored",
          listed.ref());
      return null;
    }
    return l;
  }

  ReconcileReport reconcile(Duration grace, boolean duplicates) {
    Instant cutoff = Instant.now().minus(grace);
    Counts c = new Counts();
    destroys(cutoff, c);
    pendings(cutoff, c);
    if (duplicates) {
      new DuplicateResolver(placement.directory(), cache).resolve(c);
    }
    ReconcileReport r = c.report();
    if (r.repaired() + r.conflicts() + r.failed() > 0) {
      LOG.info("Reconciler: {}", r);
    }
    return r;
  }

  private void destroys(Instant cutoff, Counts c) {
    Map<String, Keystore> ids = new LinkedHashMap<>();
    // this reconciler's own claims are retried from memory; claims of others (a claimant that
    // died) are looked for once per lease, which is as often as one can run out
    for (KeyRef own : claims.ownDestroys()) {
      try {
        ids.put(own.id(), placement.retrieve(own).keystore());
      } catch (KeyNotFoundException gone) {
        claims.destroyDone(own);
      } catch (KeystoreException notNow) {
        // tried again next pass; the listing below still finds its intent
      }
    }
    List<String> intents = new ArrayList<>(List.of(ReservedTags.SAGA_DESTROY));
    Instant now = Instant.now();
    if (!now.isBefore(nextClaimedScan)) {
      intents.add(ReservedTags.SAGA_DESTROY_CLAIMED);
      nextClaimedScan = now.plus(IntentClaims.LEASE);
    }
    try {
      for (String intent : intents) {
        for (KeyMetadata m : all(KeyFilter.builder().tag(ReservedTags.SAGA, intent))) {
          if (m.updatedAt().isAfter(cutoff)) {
            c.young++;
          } else if (!ids.containsKey(m.id())) {
            Located l = authenticated(m);
            if (l != null && ReservedTags.isDestroying(l.record().metadata().tags())) {
              ids.put(m.id(), l.keystore());
            }
          }
        }
      }
    } catch (KeystoreException e) {
      c.failed++;
      LOG.warn("Reconciler: cannot list destroy intents now ({}); next pass", e.getMessage());
    }
    for (Map.Entry<String, Keystore> e : ids.entrySet()) {
      String id = e.getKey();
      try {
        Located claimed = claimDestroy(e.getValue(), id, cutoff);
        if (claimed == null) {
          c.young++; // done meanwhile, touched since listed, or another reconciler is on it
          continue;
        }
        try {
          destroyer.destroy(id, true);
        } catch (KeyNotFoundException gone) {
          // finished meanwhile (a caller's destroy): done all the same
        }
        claims.destroyDone(claimed.record().metadata().ref());
        c.destroys++;
        LOG.info("Reconciler: destroy of '{}' rolled forward", id);
      } catch (KeyNotFoundException gone) {
        // gone meanwhile: nothing left to do
      } catch (KeystoreException failure) {
        c.failed++;
        LOG.warn(
            "Reconciler: destroy of '{}' not finished yet ({}); next pass",
            id,
            failure.getMessage());
      }
    }
  }

  /**
   * Exactly one reconciler rolls a destroy forward: the one whose claim on the key's lowest-version
   * record that still carries the intent lands ({@link IntentClaims#claimDestroy}).
   *
   * @return that record, claimed by this reconciler; null if it is not ours to do now
   */
  private Located claimDestroy(Keystore home, String id, Instant cutoff) throws KeystoreException {
    List<KeyMetadata> versions = KeyPlacement.versions(home, id);
    for (KeyMetadata m : versions) {
      if (!ReservedTags.isDestroying(m.tags())) {
        continue;
      }
      Located l = authenticated(m);
      if (l == null) {
        continue;
      }
      KeyMetadata cur = l.record().metadata();
      if (!ReservedTags.isDestroying(cur.tags())
          || ReservedTags.SAGA_DESTROY.equals(cur.tags().get(ReservedTags.SAGA))
              && cur.updatedAt().isAfter(cutoff)) {
        return null;
      }
      return claims.claimDestroy(l, Instant.now()) ? l : null;
    }
    return null;
  }

  private void pendings(Instant cutoff, Counts c) {
    List<KeyMetadata> pending;
    try {
      pending = all(KeyFilter.builder().status(KeyStatus.PENDING));
    } catch (KeystoreException e) {
      c.failed++;
      LOG.warn("Reconciler: cannot list PENDING records now ({}); next pass", e.getMessage());
      return;
    }
    for (KeyMetadata m : pending) {
      if (ReservedTags.isDestroying(m.tags())) {
        continue; // belongs to a destroy, handled above (or next pass)
      }
      if (m.updatedAt().isAfter(cutoff)) {
        c.young++;
        continue;
      }
      if (m.version() == 1) {
        // the core never writes a version 1 PENDING (create is one store of an ACTIVE/PRE_ACTIVE
        // record)
        LOG.warn(
            "Reconciler: {} is PENDING, which no saga writes for a version 1; left alone", m.ref());
        continue;
      }
      try {
        resolveRotation(m, cutoff, c);
      } catch (KeyNotFoundException e) {
        // gone meanwhile: nothing left to do
      } catch (KeystoreException e) {
        c.failed++;
        LOG.warn(
            "Reconciler: PENDING {} not resolved yet ({}); next pass", m.ref(), e.getMessage());
      }
    }
  }

  private void resolveRotation(KeyMetadata listed, Instant cutoff, Counts c)
      throws KeystoreException {
    Located l = authenticated(listed);
    if (l == null || l.record().metadata().status() != KeyStatus.PENDING) {
      return;
    }
    Instant now = Instant.now();
    if (l.record().metadata().updatedAt().isAfter(cutoff)
        || claims.heldByOther(l.record().metadata(), now)) {
      c.young++; // touched since it was listed, or another runtime's reconciler is on it
      return;
    }
    // exactly one reconciler acts: the one whose claim (a write at the revision read) lands
    KeyMetadata pending = claims.claim(l, now);
    if (pending == null) {
      c.young++;
      return;
    }
    Keystore home = l.keystore();
    int from = rotatedFrom(pending);
    List<KeyMetadata> versions = KeyPlacement.versions(home, pending.id());
    KeyMetadata old = versions.stream().filter(v -> v.version() == from).findFirst().orElse(null);
    boolean finish =
        old != null
            && old.status() == KeyStatus.DEPRECATED
            && KeyVersions.highestActive(versions) == null;
    if (finish) {
      MetadataUpdates.update(
          home,
          pending.ref(),
          cur -> {
            if (cur.status() != KeyStatus.PENDING) {
              return cur; // resolved by someone else meanwhile
            }
            Map<String, String> tags = new TreeMap<>(cur.tags());
            tags.remove(ReservedTags.SAGA);
            return MetadataUpdates.touched(cur).status(KeyStatus.ACTIVE).tags(tags).build();
          });
      c.finished++;
      LOG.info("Reconciler: rotation of '{}' finished: {} ACTIVE", pending.id(), pending.ref());
    } else {
      java.util.Set<String> live = children.live(pending.id(), pending.tier(), pending.ref());
      if (!live.isEmpty()) {
        c.failed++;
        LOG.error(
            "Reconciler: PENDING {} wraps {} live child key(s), e.g. '{}'; not rolled back",
            pending.ref(),
            live.size(),
            live.iterator().next());
        return;
      }
      home.delete(pending.ref());
      c.rolledBack++;
      LOG.info(
          "Reconciler: rotation of '{}' rolled back: PENDING {} deleted",
          pending.id(),
          pending.ref());
    }
    cache.get().invalidate(pending.ref());
    if (old != null) {
      cache.get().invalidate(old.ref());
    }
  }

  private static int rotatedFrom(KeyMetadata pending) {
    String tag = IntentClaims.intent(pending.tags().get(ReservedTags.SAGA));
    if (tag != null && tag.startsWith(ReservedTags.SAGA_ROTATE)) {
      try {
        return Integer.parseInt(tag.substring(ReservedTags.SAGA_ROTATE.length()));
      } catch (NumberFormatException e) {
        // fall through: treat as untagged
      }
    }
    return pending.version() - 1;
  }

  private List<KeyMetadata> all(KeyFilter.Builder b) throws KeystoreException {
    return Pages.all(placement.directory()::list, b.build());
  }

  /** Mutable tallies of one pass. */
  static final class Counts {
    int finished;
    int rolledBack;
    int destroys;
    int duplicates;
    int conflicts;
    int failed;
    int young;

    ReconcileReport report() {
      return new ReconcileReport(
          finished, rolledBack, destroys, duplicates, conflicts, failed, young);
    }
  }
}
