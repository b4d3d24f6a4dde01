package org.openkcm.keystore.core.internal.keys;

import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.openkcm.keystore.core.internal.crypto.ThreadCrypto;
import org.openkcm.keystore.model.ConcurrentUpdateException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeystoreException;

/**
 * A lease on a rotation intent, so that of several reconcilers (one per runtime) exactly one
 * finishes or rolls back each intent. A reconciler claims the PENDING record by one check-and-set
 * write at the revision it read, stamping its id and the lease's end into the intent tag ({@code
 * rotate-from:k claim:<id>@<epoch ms>}, authenticated with the rest of the state): a rival that
 * read the same revision loses the write, one that reads later sees a live lease and leaves the
 * record alone. A claimant that dies mid-way lets its lease run out, and the next pass of any
 * runtime claims the intent again. The saga that wrote the intent writes at the revision it knew,
 * so after a claim its own last step fails instead of racing the reconciler.
 */
final class IntentClaims {
  static final Duration LEASE = Duration.ofSeconds(30);
  private static final String CLAIM = " claim:";

  /** This reconciler's id: random per runtime start, only for telling claimants apart. */
  private final String self = HexFormat.of().formatHex(ThreadCrypto.randomBytes(8));

  /**
   * This reconciler's destroy claims: the record and every {@code updatedAt} (ms) it stamped on it
   * (a hung claim write may land after a later one was tried).
   */
  private final Map<KeyRef, Set<Long>> ownDestroys = new ConcurrentHashMap<>();

  String self() {
    return self;
  }

  /**
   * @return the intent without any claim ({@code rotate-from:k})
   */
  static String intent(String tag) {
    int i = tag == null ? -1 : tag.indexOf(CLAIM);
    return i < 0 ? tag : tag.substring(0, i);
  }

  /**
   * @return whether another reconciler holds a lease on {@code m} that has not run out
   */
  boolean heldByOther(KeyMetadata m, Instant now) {
    String tag = m.tags().get(ReservedTags.SAGA);
    int i = tag == null ? -1 : tag.indexOf(CLAIM);
    if (i < 0) {
      return false;
    }
    String claim = tag.substring(i + CLAIM.length());
    int at = claim.lastIndexOf('@');
    try {
      long until = Long.parseLong(claim.substring(at + 1));
      return !claim.substring(0, at).equals(self) && now.toEpochMilli() < until;
    } catch (NumberFormatException | StringIndexOutOfBoundsException malformed) {
      return false; // authenticated but unreadable: treat as no lease
    }
  }

  /**
   * Claims a key's destroy intent on its lowest-version record {@code l} (the destroy deletes it
   * last, so every reconciler finds the same record until the destroy is done) with one write at
   * the revision read, setting the intent to {@value ReservedTags#SAGA_DESTROY_CLAIMED}: the lease
   * is the record's {@code updatedAt} plus {@link #LEASE}. A rival that read the same revision
   * loses the write; one that reads later sees the live lease and leaves the key alone; after the
   * lease any reconciler claims it again (a claimant that died). This reconciler knows its own
   * claims by the {@code updatedAt} it stamped, so its next pass retries a destroy that failed
   * half-way without waiting for the lease.
   *
   * @return whether this reconciler now holds the destroy
   */
  boolean claimDestroy(Located l, Instant now) throws KeystoreException {
    KeyMetadata cur = l.record().metadata();
    boolean claimed = ReservedTags.SAGA_DESTROY_CLAIMED.equals(cur.tags().get(ReservedTags.SAGA));
    boolean ours =
        claimed
            && ownDestroys
                .getOrDefault(cur.ref(), Set.of())
                .contains(cur.updatedAt().toEpochMilli());
    if (claimed && !ours && now.isBefore(cur.updatedAt().plus(LEASE))) {
      return false;
    }
    Map<String, String> tags = new TreeMap<>(cur.tags());
    tags.put(ReservedTags.SAGA, ReservedTags.SAGA_DESTROY_CLAIMED);
    KeyMetadata next = MetadataUpdates.touched(cur).tags(tags).build();
    // remembered before the write: if its answer is lost, the claim may still have landed
    ownDestroys
        .computeIfAbsent(cur.ref(), r -> ConcurrentHashMap.newKeySet())
        .add(next.updatedAt().toEpochMilli());
    try {
      l.keystore().updateMetadata(next, l.record().revision());
      return true;
    } catch (ConcurrentUpdateException lost) {
      // kept: an earlier, hung claim write of ours may be what won; the next pass tells ours from a
      // rival's by the updatedAt, and forgets the record once the key is gone
      return false;
    }
  }

  /**
   * @return the records this reconciler claimed for destroys not known to be done
   */
  Set<KeyRef> ownDestroys() {
    return Set.copyOf(ownDestroys.keySet());
  }

  /** Forgets a claim of this reconciler once its destroy is done. */
  void destroyDone(KeyRef claimed) {
    ownDestroys.remove(claimed);
  }

  /**
   * Claims {@code l}'s intent with one write at the revision read.
   *
   * @return the claimed metadata, or null when another writer got there first
   */
  KeyMetadata claim(Located l, Instant now) throws KeystoreException {
    KeyMetadata cur = l.record().metadata();
    Map<String, String> tags = new TreeMap<>(cur.tags());
    tags.put(
        ReservedTags.SAGA,
        intent(cur.tags().get(ReservedTags.SAGA))
            + CLAIM
            + self
            + "@"
            + now.plus(LEASE).toEpochMilli());
    KeyMetadata claimed = MetadataUpdates.touched(cur).tags(tags).build();
    try {
      l.keystore().updateMetadata(claimed, l.record().revision());
      return claimed;
    } catch (ConcurrentUpdateException lost) {
      return null;
    }
  }
}
