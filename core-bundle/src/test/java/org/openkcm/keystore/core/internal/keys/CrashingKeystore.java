package org.openkcm.keystore.core.internal.keys;

import java.util.concurrent.atomic.AtomicInteger;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.spi.BackendHealth;
import org.openkcm.keystore.spi.BackendInfo;
import org.openkcm.keystore.spi.KeyRecord;
import org.openkcm.keystore.spi.Keystore;

/**
 * Simulates the runtime dying between two backend writes: at the armed write (counted over every
 * CrashingKeystore sharing the counter) it throws {@link Crash}, an Error no saga code catches, so
 * no compensation runs, exactly as after a kill. {@code after} = the write reached the backend
 * first.
 */
final class CrashingKeystore implements Keystore {
  /** The runtime stopped here. */
  static final class Crash extends Error {
    private static final long serialVersionUID = 1L;

    Crash() {
      super("simulated crash", null, false, false);
    }
  }

  /** Shared write counter and trigger. */
  static final class Trigger {
    final AtomicInteger writes = new AtomicInteger();
    volatile int crashAt = -1;
    volatile boolean after;

    void arm(int n, boolean afterWrite) {
      writes.set(0);
      crashAt = n;
      after = afterWrite;
    }

    void disarm() {
      crashAt = -1;
    }
  }

  private final Keystore delegate;
  private final Trigger trigger;

  CrashingKeystore(Keystore delegate, Trigger trigger) {
    this.delegate = delegate;
    this.trigger = trigger;
  }

  private interface Write<T> {
    T run() throws KeystoreException;
  }

  private <T> T write(Write<T> w) throws KeystoreException {
    boolean crash = trigger.crashAt > 0 && trigger.writes.incrementAndGet() == trigger.crashAt;
    if (crash && !trigger.after) {
      throw new Crash();
    }
    T result = w.run();
    if (crash) {
      throw new Crash();
    }
    return result;
  }

  @Override
  public BackendInfo info() {
    return delegate.info();
  }

  @Override
  public long store(KeyMetadata metadata, byte[] sealed) throws KeystoreException {
    return write(() -> delegate.store(metadata, sealed));
  }

  @Override
  public KeyRecord retrieve(KeyRef ref) throws KeystoreException {
    return delegate.retrieve(ref);
  }

  @Override
  public long updateMetadata(KeyMetadata updated, long expectedRevision) throws KeystoreException {
    return write(() -> delegate.updateMetadata(updated, expectedRevision));
  }

  @Override
  public long replaceSealed(KeyMetadata updated, byte[] sealed, long expectedRevision)
      throws KeystoreException {
    return write(() -> delegate.replaceSealed(updated, sealed, expectedRevision));
  }

  @Override
  public boolean delete(KeyRef ref) throws KeystoreException {
    return write(() -> delegate.delete(ref));
  }

  @Override
  public Page<KeyMetadata> list(KeyFilter filter) throws KeystoreException {
    return delegate.list(filter);
  }

  @Override
  public BackendHealth health() {
    return delegate.health();
  }
}
