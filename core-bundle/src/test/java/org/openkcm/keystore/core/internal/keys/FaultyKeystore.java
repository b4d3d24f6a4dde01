package org.openkcm.keystore.core.internal.keys;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.spi.BackendHealth;
import org.openkcm.keystore.spi.BackendInfo;
import org.openkcm.keystore.spi.KeyRecord;
import org.openkcm.keystore.spi.Keystore;

/** Delegates to a real Keystore; injects unavailability where told, and counts retrieves. */
final class FaultyKeystore implements Keystore {
  private final Keystore delegate;
  volatile boolean down;

  /** Metadata updates matching this fail as if the backend had gone away mid-saga. */
  volatile Predicate<KeyMetadata> failUpdate = m -> false;

  /** Deletes fail while set. */
  volatile boolean failDelete;

  /** Runs once before the next metadata update: a concurrent writer. */
  volatile Runnable beforeUpdate;

  final AtomicInteger retrieves = new AtomicInteger();

  FaultyKeystore(Keystore delegate) {
    this.delegate = delegate;
  }

  private void check() throws BackendUnavailableException {
    if (down) {
      throw new BackendUnavailableException(
          delegate.info().name(), "injected outage", Duration.ofSeconds(1));
    }
  }

  @Override
  public BackendInfo info() {
    return delegate.info();
  }

  @Override
  public long store(KeyMetadata metadata, byte[] sealed) throws KeystoreException {
    check();
    return delegate.store(metadata, sealed);
  }

  @Override
  public KeyRecord retrieve(KeyRef ref) throws KeystoreException {
    check();
    retrieves.incrementAndGet();
    return delegate.retrieve(ref);
  }

  @Override
  public long updateMetadata(KeyMetadata updated, long expectedRevision) throws KeystoreException {
    check();
    Runnable r = beforeUpdate;
    if (r != null) {
      beforeUpdate = null;
      r.run();
    }
    if (failUpdate.test(updated)) {
      throw new BackendUnavailableException(
          delegate.info().name(), "injected failure on update of " + updated.ref(), null);
    }
    return delegate.updateMetadata(updated, expectedRevision);
  }

  @Override
  public long replaceSealed(KeyMetadata updated, byte[] sealed, long expectedRevision)
      throws KeystoreException {
    check();
    return delegate.replaceSealed(updated, sealed, expectedRevision);
  }

  @Override
  public boolean delete(KeyRef ref) throws KeystoreException {
    check();
    if (failDelete) {
      throw new BackendUnavailableException(
          delegate.info().name(), "injected failure on delete of " + ref, null);
    }
    return delegate.delete(ref);
  }

  @Override
  public Page<KeyMetadata> list(KeyFilter filter) throws KeystoreException {
    check();
    return delegate.list(filter);
  }

  @Override
  public BackendHealth health() {
    return delegate.health();
  }
}
