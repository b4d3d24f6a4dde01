package org.openkcm.keystore.core.internal.backend;

import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.ConcurrentUpdateException;
import org.openkcm.keystore.model.KeyAlreadyExistsException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyNotFoundException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.spi.KeyRecord;

/**
 * A write whose answer was lost ({@link BackendUnavailableException} from store or update: it may
 * or may not have happened) is resolved by reading the record back, never by guessing:
 *
 * <ul>
 *   <li>store: the record is there with our metadata and our sealed bytes ({@link Records#same}) ->
 *       it happened; absent -> it did not, and the store is sent again (create-only, so a duplicate
 *       is refused, then read back again); something else there -> {@link
 *       KeyAlreadyExistsException}.
 *   <li>update (compare-and-set): the record carries our metadata -> it happened; still at the
 *       expected revision -> it did not, sent again; anything else -> someone else won: {@link
 *       ConcurrentUpdateException}.
 * </ul>
 *
 * A failure that certainly never reached the backend ({@link
 * BackendUnavailableException#certainlyNotSent()}) is simply sent again, as {@link
 * Request#idempotent} would. When even the read-back cannot be done, the outcome stays unknown and
 * the caller gets a {@link BackendUnavailableException} saying so; the record is then either absent
 * or complete (a single backend write is atomic).
 */
final class WriteReadBack {
  private WriteReadBack() {}

  static long store(Request r, KeyMetadata metadata, byte[] sealed) throws KeystoreException {
    BackendUnavailableException lost = null;
    boolean maybeSent = false;
    for (int attempt = 0; attempt < Request.ATTEMPTS; attempt++) {
      try {
        return r.once(s -> s.store(metadata, sealed));
      } catch (BackendUnavailableException e) {
        lost = keep(lost, e);
        maybeSent |= !e.certainlyNotSent();
      } catch (KeyAlreadyExistsException e) {
        if (!maybeSent) {
          throw e; // no earlier attempt of ours could have written it
        }
      }
      if (!maybeSent) {
        if (!r.mayRetry(lost, attempt)) {
          throw lost; // never reached the backend: the store certainly did not happen
        }
        continue;
      }
      KeyRecord back = readBack(r, lost);
      if (back != null) {
        if (Records.same(back, metadata, sealed)) {
          return back.revision();
        }
        throw new KeyAlreadyExistsException(
            r.ref(), r.backend(), "key " + r.ref() + " already exists");
      }
      if (!r.mayResend(lost)) {
        break;
      }
    }
    throw maybeSent ? unknown(r, "store", lost) : lost;
  }

  static long update(Request r, KeyMetadata updated, long expectedRevision)
      throws KeystoreException {
    BackendUnavailableException lost = null;
    boolean maybeSent = false;
    for (int attempt = 0; attempt < Request.ATTEMPTS; attempt++) {
      try {
        return r.once(s -> s.updateMetadata(updated, expectedRevision));
      } catch (BackendUnavailableException e) {
        lost = keep(lost, e);
        maybeSent |= !e.certainlyNotSent();
      } catch (ConcurrentUpdateException e) {
        if (!maybeSent) {
          throw e;
        }
      }
      if (!maybeSent) {
        if (!r.mayRetry(lost, attempt)) {
          throw lost; // never reached the backend: the update certainly did not happen
        }
        continue;
      }
      KeyRecord back = readBack(r, lost);
      if (back == null) {
        throw new KeyNotFoundException(r.ref(), r.backend(), "key " + r.ref() + " not found");
      }
      if (back.metadata().equals(updated)) {
        return back.revision();
      }
      if (back.revision() != expectedRevision) {
        throw new ConcurrentUpdateException(
            r.ref(), r.backend(), "key " + r.ref() + " changed meanwhile");
      }
      if (!r.mayResend(lost)) {
        break;
      }
    }
    throw maybeSent ? unknown(r, "update", lost) : lost;
  }

  /**
   * @return the record now stored, {@code null} if there is none; throws if it cannot be read
   */
  private static KeyRecord readBack(Request r, BackendUnavailableException lost)
      throws KeystoreException {
    KeyRef ref = r.ref();
    try {
      return r.idempotent(s -> s.retrieve(ref));
    } catch (KeyNotFoundException e) {
      return null;
    } catch (BackendUnavailableException e) {
      lost.addSuppressed(e);
      throw unknown(r, "write", lost);
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

  private static BackendUnavailableException unknown(
      Request r, String op, BackendUnavailableException cause) {
    return new BackendUnavailableException(
        r.backend(),
        r.ref(),
        "the outcome of a "
            + op
            + " of "
            + r.ref()
            + " is unknown (the answer was lost and the record could not be read back)",
        cause == null ? null : cause.retryAfter().orElse(null),
        cause);
  }
}
