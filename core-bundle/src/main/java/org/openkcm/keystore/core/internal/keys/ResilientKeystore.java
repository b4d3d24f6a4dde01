package org.openkcm.keystore.core.internal.keys;

import java.util.Arrays;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.ConcurrentUpdateException;
import org.openkcm.keystore.model.KeyAlreadyExistsException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyNotFoundException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.spi.BackendHealth;
import org.openkcm.keystore.spi.BackendInfo;
import org.openkcm.keystore.spi.KeyRecord;
import org.openkcm.keystore.spi.Keystore;

/**
 * How the crypto core calls a backend. Idempotent calls (retrieve, list, delete) are retried with
 * backoff ({@link Retries}). A write whose answer was lost ({@link BackendUnavailableException}
 * from store or update: it may or may not have happened) is resolved by reading the record back,
 * never by guessing:
 *
 * <ul>
 *   <li>store: the record is there with our metadata and our sealed bytes -> it happened; absent ->
 *       it did not, and the store is sent again (create-only, so a duplicate is refused, then read
 *       back again); something else there -> {@link KeyAlreadyExistsException}.
 *   <li>update (compare-and-set): the record carries our metadata -> it happened; still at the
 *       expected revision -> it did not, sent again; anything else -> someone else won: {@link
 *       ConcurrentUpdateException} (callers re-read and re-apply, see {@link MetadataUpdates}).
 * </ul>
 *
 * When even the read-back cannot be done, the outcome stays unknown and the caller gets the {@link
 * BackendUnavailableException} saying so; the record is then either absent or complete (a single
 * backend write is atomic), and sagas leave their intent for the reconciler.
 */
final class ResilientKeystore implements Keystore {
  private final Keystore delegate;

  ResilientKeystore(Keystore delegate) {
    this.delegate = delegate;
  }

  static Keystore wrap(Keystore k) {
    return k instanceof ResilientKeystore ? k : new ResilientKeystore(k);
  }

  Keystore delegate() {
    return delegate;
  }

  @Override
  public BackendInfo info() {
    return delegate.info();
  }

  @Override
  public long store(KeyMetadata metadata, byte[] sealed) throws KeystoreException {
    BackendUnavailableException lost = null;
    boolean maybeSent = false;
    for (int attempt = 0; attempt < Retries.ATTEMPTS; attempt++) {
      try {
        return delegate.store(metadata, sealed);
      } catch (BackendUnavailableException e) {
        lost = keep(lost, e);
        maybeSent |= !e.certainlyNotSent();
      } catch (KeyAlreadyExistsException e) {
        if (!maybeSent) {
          throw e; // no earlier attempt of ours could have written it
        }
      }
      if (!maybeSent) {
        if (tooLong(lost) || !Retries.pause(attempt)) {
          throw lost; // never reached the backend: the store certainly did not happen
        }
        continue;
      }
      KeyRecord back = readBack(metadata.ref(), lost);
      if (back != null) {
        if (sameRecord(back, metadata, sealed)) {
          return back.revision();
        }
        throw new KeyAlreadyExistsException(
            metadata.ref(), name(), "key " + metadata.ref() + " already exists");
      }
      if (tooLong(lost)) {
        break;
      }
    }
    throw maybeSent ? unknown(metadata.ref(), "store", lost) : lost;
  }

  @Override
  public long updateMetadata(KeyMetadata updated, long expectedRevision) throws KeystoreException {
    BackendUnavailableException lost = null;
    boolean maybeSent = false;
    for (int attempt = 0; attempt < Retries.ATTEMPTS; attempt++) {
      try {
        return delegate.updateMetadata(updated, expectedRevision);
      } catch (BackendUnavailableException e) {
        lost = keep(lost, e);
        maybeSent |= !e.certainlyNotSent();
      } catch (ConcurrentUpdateException e) {
        if (!maybeSent) {
          throw e;
        }
      }
      if (!maybeSent) {
        if (tooLong(lost) || !Retries.pause(attempt)) {
          throw lost; // never reached the backend: the update certainly did not happen
        }
        continue;
      }
      KeyRecord back = readBack(updated.ref(), lost);
      if (back == null) {
        throw new KeyNotFoundException(
            updated.ref(), name(), "key " + updated.ref() + " not found");
      }
      if (sameMetadata(back.metadata(), updated)) {
        return back.revision();
      }
      if (back.revision() != expectedRevision) {
        throw new ConcurrentUpdateException(
            updated.ref(), name(), "key " + updated.ref() + " changed meanwhile");
      }
      if (tooLong(lost)) {
        break;
      }
    }
    throw maybeSent ? unknown(updated.ref(), "update", lost) : lost;
  }

  @Override
  public KeyRecord retrieve(KeyRef ref) throws KeystoreException {
    return Retries.idempotent(() -> delegate.retrieve(ref));
  }

  /** Deleting twice is harmless, so a lost answer is simply asked again. */
  /**
   * Not retried: a rewrap whose answer was lost is decided again by its caller from a fresh read
   * (the record holds either wrap, both open).
   */
  @Override
  public long replaceSealed(KeyMetadata updated, byte[] sealed, long expectedRevision)
      throws KeystoreException {
    return delegate.replaceSealed(updated, sealed, expectedRevision);
  }

  @Override
  public boolean delete(KeyRef ref) throws KeystoreException {
    return Retries.idempotent(() -> delegate.delete(ref));
  }

  @Override
  public Page<KeyMetadata> list(KeyFilter filter) throws KeystoreException {
    return Retries.idempotent(() -> delegate.list(filter));
  }

  @Override
  public BackendHealth health() {
    return delegate.health();
  }

  private String name() {
    return delegate.info().name();
  }

  /**
   * @return the record now stored, {@code null} if there is none; throws if it cannot be read
   */
  private KeyRecord readBack(KeyRef ref, BackendUnavailableException lost)
      throws KeystoreException {
    try {
      return Retries.idempotent(() -> delegate.retrieve(ref));
    } catch (KeyNotFoundException e) {
      return null;
    } catch (BackendUnavailableException e) {
      lost.addSuppressed(e);
      throw unknown(ref, "write", lost);
    }
  }

  private static BackendUnavailableException keep(
      BackendUnavailableException first, BackendUnavailableException e) {
    if (first == null) {
      return e;
    }
    first.addSuppressed(e);
    return first;
  }

  /** An open breaker's hint: waiting it out is the caller's choice, not ours. */
  private static boolean tooLong(BackendUnavailableException e) {
    return e.retryAfter().map(d -> d.compareTo(Retries.MAX_BACKOFF) > 0).orElse(false);
  }

  private BackendUnavailableException unknown(
      KeyRef ref, String op, BackendUnavailableException cause) {
    return new BackendUnavailableException(
        name(),
        ref,
        "the outcome of a "
            + op
            + " of "
            + ref
            + " is unknown (the answer was lost and the record could not be read back)",
        cause == null ? null : cause.retryAfter().orElse(null),
        cause);
  }

  private static boolean sameRecord(KeyRecord back, KeyMetadata metadata, byte[] sealed) {
    byte[] bytes = back.sealed();
    try {
      return sameMetadata(back.metadata(), metadata) && Arrays.equals(bytes, sealed);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  /**
   * Equal metadata; times compared to the millisecond, as a backend may store them at that
   * precision (the update time we set is unique enough to tell our write from another's).
   */
  static boolean sameMetadata(KeyMetadata a, KeyMetadata b) {
    if (a.equals(b)) {
      return true;
    }
    return a.sameIdentity(b)
        && a.status() == b.status()
        && a.tags().equals(b.tags())
        && millis(a.expiresAt().orElse(null)) == millis(b.expiresAt().orElse(null))
        && millis(a.updatedAt()) == millis(b.updatedAt())
        && millis(a.createdAt()) == millis(b.createdAt());
  }

  private static long millis(java.time.Instant t) {
    return t == null ? Long.MIN_VALUE : t.toEpochMilli();
  }

  @Override
  public String toString() {
    return "Resilient[" + delegate + "]";
  }
}
