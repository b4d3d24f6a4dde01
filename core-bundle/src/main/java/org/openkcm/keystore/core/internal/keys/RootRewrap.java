package org.openkcm.keystore.core.internal.keys;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;
import org.openkcm.keystore.core.internal.backend.BackendDirectory;
import org.openkcm.keystore.core.internal.cache.KeyCache;
import org.openkcm.keystore.core.internal.crypto.EnvelopeSealer;
import org.openkcm.keystore.model.ConcurrentUpdateException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyNotFoundException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Limits;
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.spi.KeyRecord;
import org.openkcm.keystore.spi.Keystore;
import org.openkcm.keystore.spi.RootKeyProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves stored records onto the root key the provider uses now (docs/pkcs11.md, "Rewrap"): an L2
 * record whose DEK a retired root key wrapped ({@link RootKeyProvider#needsRewrap}) gets its DEK
 * re-wrapped ({@link EnvelopeSealer#rewrapUnderRoot}, checked to open to the same material) and
 * stored with {@link Keystore#replaceSealed} at the revision it was read at; a record of any tier
 * whose state a previous root key's state key authenticated is re-authenticated with a same-content
 * metadata update at its revision. Either write is conditional: a concurrent change wins, and the
 * record is read and decided again. Each record is one atomic write, and both its old and its new
 * form open, so stopping half-way leaves every record openable.
 */
final class RootRewrap {
  private static final Logger LOG = LoggerFactory.getLogger(RootRewrap.class);
  static final int ATTEMPTS = 3;

  /** What happened (or, in a dry run, would happen) to one record. */
  enum Outcome {
    CURRENT,
    REWRAPPED,
    REAUTHENTICATED,
    CONFLICT,
    GONE,
    FAILED
  }

  private final RootKeyProvider root;
  private final Supplier<KeyCache> cache;

  RootRewrap(RootKeyProvider root, Supplier<KeyCache> cache) {
    this.root = root;
    this.cache = cache;
  }

  /**
   * Lazily, after an L2 record was opened: rewraps it if a retired root key wrapped it. Never
   * throws; a record that could not be rewrapped now is left as it is (it opens) for the next open
   * or the rewrap command.
   */
  void afterOpen(KeyRecord opened, String backend, BackendDirectory directory) {
    if (opened.metadata().tier() != KeyTier.L2) {
      return;
    }
    byte[] wrapped = EnvelopeSealer.rootWrappedDek(opened.sealed());
    if (wrapped == null || !root.needsRewrap(wrapped)) {
      return;
    }
    try {
      // conditional on the revision it was read at: a cached copy that is no longer current
      // fails the write and changes nothing
      if (directory.backend(backend) instanceof AuthenticatedKeystore ks) {
        write(ks, opened, true);
        LOG.debug("Rewrapped {} under the current root key (on open)", opened.metadata().ref());
      }
    } catch (KeystoreException | RuntimeException e) {
      LOG.debug(
          "Lazy rewrap of {} not done now ({}); it still opens",
          opened.metadata().ref(),
          e.getMessage());
    }
  }

  /** Counts per outcome over every configured backend, and the records that failed. */
  record Report(boolean dryRun, Map<Outcome, Integer> counts, String problems) {
    int count(Outcome o) {
      return counts.getOrDefault(o, 0);
    }
  }

  /**
   * Walks every record of every configured backend, in listing order, and moves each onto the
   * current root key (see the class comment). Records of a backend that cannot be listed are
   * reported, the others are still done.
   */
  Report run(BackendDirectory directory, boolean dryRun) {
    Map<Outcome, Integer> counts = new EnumMap<>(Outcome.class);
    StringBuilder problems = new StringBuilder();
    for (Keystore k : directory.configured()) {
      if (!(k instanceof AuthenticatedKeystore ks)) {
        continue;
      }
      try {
        KeyFilter f = KeyFilter.all().withPageSize(Limits.MAX_PAGE_SIZE);
        while (true) {
          Page<KeyMetadata> page = ks.list(f);
          for (KeyMetadata m : page.items()) {
            counts.merge(one(ks, m.ref(), dryRun, problems), 1, Integer::sum);
          }
          if (page.nextCursor().isEmpty() || page.items().isEmpty()) {
            break;
          }
          f = f.after(page.items().get(page.items().size() - 1).ref());
        }
      } catch (KeystoreException e) {
        problems
            .append("  backend '")
            .append(ks.info().name())
            .append("' not walked to the end: ")
            .append(e.getMessage())
            .append('\n');
        counts.merge(Outcome.FAILED, 1, Integer::sum);
      }
    }
    return new Report(dryRun, counts, problems.toString());
  }

  /**
   * @return what was (or, with {@code dryRun}, would be) done to the record
   */
  Outcome one(AuthenticatedKeystore ks, KeyRef ref, boolean dryRun, StringBuilder problems) {
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      try {
        StateKeys.Checked c = ks.retrieveChecked(ref);
        KeyRecord r = c.record();
        boolean rewrap = needsRewrap(r);
        if (!rewrap && c.current()) {
          return Outcome.CURRENT;
        }
        if (!dryRun) {
          write(ks, r, rewrap);
        }
        return rewrap ? Outcome.REWRAPPED : Outcome.REAUTHENTICATED;
      } catch (ConcurrentUpdateException e) {
        // another writer changed it after our read: read it again and decide again
        continue;
      } catch (KeyNotFoundException e) {
        return Outcome.GONE;
      } catch (KeystoreException | RuntimeException e) {
        problems.append("  ").append(ref).append(": ").append(e.getMessage()).append('\n');
        return Outcome.FAILED;
      }
    }
    problems.append("  ").append(ref).append(": changed by other writers on every attempt\n");
    return Outcome.CONFLICT;
  }

  private boolean needsRewrap(KeyRecord r) {
    if (r.metadata().tier() != KeyTier.L2 || EnvelopeSealer.isTombstone(r.sealed())) {
      return false;
    }
    byte[] wrapped = EnvelopeSealer.rootWrappedDek(r.sealed());
    return wrapped != null && root.needsRewrap(wrapped);
  }

  private void write(AuthenticatedKeystore ks, KeyRecord r, boolean rewrap)
      throws KeystoreException {
    KeyMetadata m = r.metadata();
    if (rewrap) {
      byte[] next = EnvelopeSealer.rewrapUnderRoot(m, r.sealed(), root, ks.info().name());
      ks.replaceSealed(m, next, r.revision());
    } else {
      ks.updateMetadata(m, r.revision());
    }
    cache.get().invalidate(m.ref());
  }
}
