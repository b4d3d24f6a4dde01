package org.openkcm.keystore.core.internal.backend;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.openkcm.keystore.api.MigrationReport;
import org.openkcm.keystore.model.KeyAlreadyExistsException;
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
 * Moves stored records to another backend, one record at a time: copy (sealed bytes + metadata as
 * they are: the seal binds id, version, tier and owner, not the backend, so nothing is
 * re-encrypted), read back and compare, then delete at the source.
 *
 * <p>The rule that keeps every record readable exactly once when a run stops anywhere:
 *
 * <ul>
 *   <li>Until the source copy is deleted, the source copy is the record; the target copy is a
 *       verified duplicate (byte- and metadata-equal). Listings show a record held twice once,
 *       lookups find one of two equal copies.
 *   <li>A copy that fails verification is deleted again at the target before the next record.
 *   <li>A record whose source changed after the copy (a metadata update meanwhile) is not deleted
 *       at the source; its target copy is removed and the record is reported failed, to be migrated
 *       again.
 *   <li>Running the migration again repairs what a stopped run left: a target copy equal to the
 *       source is the verified duplicate of a run stopped between copy and delete, so the source is
 *       deleted; a target record that differs is a conflict, reported and left alone.
 * </ul>
 *
 * A transient failure (backend unavailable or sealed) stops the run: the report names it and the
 * records not yet visited stay where they were.
 */
public final class KeyMigrator {
  private static final Logger LOG = LoggerFactory.getLogger(KeyMigrator.class);

  /**
   * Migrations running in this runtime: the reconciler leaves duplicates alone meanwhile (they are
   * the migration's).
   */
  private static final java.util.concurrent.atomic.AtomicInteger RUNNING =
      new java.util.concurrent.atomic.AtomicInteger();

  private final String targetName;
  private final Keystore target;
  private final Restamp restamp;
  private int moved;
  private int skipped;
  private final List<String> failures = new ArrayList<>();

  /**
   * Re-authenticates a record for its copy (the crypto core's state MAC binds the revision and the
   * time a record was written: a copy written later with the source's tag would be refused as an
   * old copy written again).
   */
  @FunctionalInterface
  public interface Restamp {
    /**
     * @return {@code source}'s metadata stamped for a new record (revision 1) written now
     * @throws KeystoreException if the source's state fails authentication (nothing is copied)
     */
    KeyMetadata forCopy(KeyRecord source, String sourceName) throws KeystoreException;
  }

  /**
   * Without a core to re-authenticate: copies keep the source's state tag (see {@link Restamp}).
   */
  public KeyMigrator(String targetName, Keystore target) {
    this(targetName, target, null);
  }

  /**
   * @param restamp the crypto core's re-authentication; {@code null}: copies keep the source's
   *     state tag and are rewritten until their revision is the source's
   */
  public KeyMigrator(String targetName, Keystore target, Restamp restamp) {
    this.targetName = targetName;
    this.target = target;
    this.restamp = restamp;
  }

  /**
   * Migrates the records matching {@code filter} from each source (all their pages).
   *
   * @param sources backends other than the target, each with its name
   */
  public MigrationReport migrate(List<Source> sources, KeyFilter filter) {
    RUNNING.incrementAndGet();
    try {
      for (Source s : sources) {
        if (!migrateFrom(s, filter.withPageSize(100))) {
          break;
        }
      }
    } finally {
      RUNNING.decrementAndGet();
    }
    MigrationReport report =
        new MigrationReport(targetName, moved, skipped, failures.size(), failures);
    LOG.info(
        "Migration to '{}': {} moved, {} skipped, {} failed",
        targetName,
        moved,
        skipped,
        failures.size());
    return report;
  }

  /**
   * @return whether a migration is running in this runtime now
   */
  public static boolean running() {
    return RUNNING.get() > 0;
  }

  /** A backend to move records from. */
  public record Source(String name, Keystore keystore) {}

  /**
   * @return false when the run must stop (a backend became unavailable)
   */
  private boolean migrateFrom(Source source, KeyFilter filter) {
    try {
      return Pages.walk(
          source.keystore()::list,
          filter,
          Integer.MAX_VALUE,
          m -> {
            if (Thread.currentThread().isInterrupted()) {
              failures.add("stopped: interrupted before " + m.ref());
              return false;
            }
            return moveOne(source, m.ref());
          });
    } catch (KeystoreException e) {
      failures.add("stopped: listing '" + source.name() + "' failed: " + e.getMessage());
      return false;
    }
  }

  /**
   * @return false when the run must stop
   */
  private boolean moveOne(Source source, KeyRef ref) {
    try {
      KeyRecord original = source.keystore().retrieve(ref);
      Optional<KeyRecord> existing = find(target, ref);
      if (existing.isPresent()) {
        if (!Records.sameExceptState(existing.get(), original)) {
          failures.add(
              ref + ": '" + targetName + "' already holds a different record; left both in place");
          return true;
        }
        // a previous run stopped after the verified copy: finish it
      } else {
        copyAndVerify(original, source.name());
      }
      if (!unchangedAtSource(source, original)) {
        target.delete(ref);
        failures.add(
            ref
                + ": changed at '"
                + source.name()
                + "' during the copy; left there, migrate again");
        return true;
      }
      source.keystore().delete(ref);
      moved++;
      return true;
    } catch (KeyNotFoundException e) {
      skipped++; // deleted by someone else meanwhile
      return true;
    } catch (KeystoreException e) {
      failures.add(ref + ": " + e.getMessage());
      if (e.isTransient()) {
        failures.add("stopped: " + e.getMessage());
        return false;
      }
      return true;
    }
  }

  private void copyAndVerify(KeyRecord original, String sourceName) throws KeystoreException {
    KeyRef ref = original.metadata().ref();
    KeyMetadata copy =
        restamp == null ? original.metadata() : restamp.forCopy(original, sourceName);
    byte[] sealed = original.sealed();
    try {
      target.store(copy, sealed);
    } catch (KeyAlreadyExistsException e) {
      // raced with another migration run; verified below like our own copy
    } finally {
      Arrays.fill(sealed, (byte) 0);
    }
    KeyRecord back = target.retrieve(ref);
    // The core's state MAC binds the revision a record was written at (docs/crypto.md): rewrite the
    // unchanged copy until the target's revision is the source's, so the copy authenticates there
    // too.
    while (restamp == null
        && Records.sameExceptState(back, original)
        && back.revision() < original.revision()) {
      target.updateMetadata(original.metadata(), back.revision());
      back = target.retrieve(ref);
    }
    if (!Records.sameExceptState(back, original)) {
      target.delete(ref);
      throw new org.openkcm.keystore.model.IntegrityException(
          ref,
          targetName,
          "the copy read back from '"
              + targetName
              + "' differs; removed it, the source is unchanged");
    }
  }

  private static boolean unchangedAtSource(Source source, KeyRecord original)
      throws KeystoreException {
    KeyRecord now = source.keystore().retrieve(original.metadata().ref());
    return now.revision() == original.revision() && now.metadata().equals(original.metadata());
  }

  private static Optional<KeyRecord> find(Keystore k, KeyRef ref) throws KeystoreException {
    try {
      return Optional.of(k.retrieve(ref));
    } catch (KeyNotFoundException e) {
      return Optional.empty();
    }
  }
}
