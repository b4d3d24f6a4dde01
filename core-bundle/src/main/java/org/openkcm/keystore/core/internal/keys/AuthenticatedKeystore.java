package org.openkcm.keystore.core.internal.keys;

import java.util.ArrayList;
import java.util.List;
import org.openkcm.keystore.model.IntegrityException;
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
 * The outermost layer between the crypto core and a backend: every write carries the core's state
 * MAC bound to the revision it produces (a new record is revision 1, an update of revision r
 * produces r + 1: the Keystore contract), every read is checked ({@link StateKeys#check}) and
 * handed to the core without the state tag, listings mark records whose state fails. Under it, the
 * call layer ({@code backend.GuardedKeystore}) retries.
 */
final class AuthenticatedKeystore implements Keystore {
  private final Keystore delegate;
  private final StateKeys keys;

  AuthenticatedKeystore(Keystore delegate, StateKeys keys) {
    this.delegate = delegate;
    this.keys = keys;
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
    long rev = delegate.store(keys.stamp(metadata, 1), sealed);
    expect(metadata.ref(), 1, rev);
    return rev;
  }

  @Override
  public KeyRecord retrieve(KeyRef ref) throws KeystoreException {
    return keys.checkDetailed(delegate.retrieve(ref), name()).record();
  }

  @Override
  public long updateMetadata(KeyMetadata updated, long expectedRevision) throws KeystoreException {
    long rev = delegate.updateMetadata(keys.stamp(updated, expectedRevision + 1), expectedRevision);
    expect(updated.ref(), expectedRevision + 1, rev);
    return rev;
  }

  @Override
  public long replaceSealed(KeyMetadata updated, byte[] sealed, long expectedRevision)
      throws KeystoreException {
    long rev =
        delegate.replaceSealed(keys.stamp(updated, expectedRevision + 1), sealed, expectedRevision);
    expect(updated.ref(), expectedRevision + 1, rev);
    return rev;
  }

  /**
   * @return the record as {@link #retrieve} returns it, and whether its state is authenticated
   *     under the current state key (not only under a previous root key's)
   */
  StateKeys.Checked retrieveChecked(KeyRef ref) throws KeystoreException {
    KeyRecord r = delegate.retrieve(ref);
    return keys.checkDetailed(r, name());
  }

  @Override
  public boolean delete(KeyRef ref) throws KeystoreException {
    return delegate.delete(ref);
  }

  @Override
  public Page<KeyMetadata> list(KeyFilter filter) throws KeystoreException {
    return inspected(delegate.list(filter), keys);
  }

  static Page<KeyMetadata> inspected(Page<KeyMetadata> p, StateKeys keys) throws KeystoreException {
    List<KeyMetadata> items = new ArrayList<>(p.items().size());
    for (KeyMetadata m : p.items()) {
      items.add(keys.inspect(m));
    }
    return new Page<>(items, p.nextCursor().orElse(null), p.unavailableBackends());
  }

  @Override
  public BackendHealth health() {
    return delegate.health();
  }

  private void expect(KeyRef ref, long expected, long got) throws IntegrityException {
    if (got != expected) {
      throw new IntegrityException(
          ref,
          name(),
          "backend '"
              + name()
              + "' answered revision "
              + got
              + " for a write of "
              + ref
              + " that must produce revision "
              + expected
              + " (Keystore contract); the record's state cannot be"
              + " authenticated there");
    }
  }

  private String name() {
    return delegate.info().name();
  }

  @Override
  public String toString() {
    return "Authenticated[" + delegate + "]";
  }
}
