package org.openkcm.keystore.core.internal.backend;

import java.time.Duration;
import java.util.Arrays;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.ConcurrentUpdateException;
import org.openkcm.keystore.model.KeyAlreadyExistsException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Limits;
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.spi.BackendHealth;
import org.openkcm.keystore.spi.BackendInfo;
import org.openkcm.keystore.spi.BackendState;
import org.openkcm.keystore.spi.KeyRecord;
import org.openkcm.keystore.spi.Keystore;

/**
 * The {@link Keystore} the core holds for one configured backend name. Each call goes to the best
 * service of that name at that moment, under the call deadline ({@link CallGuard}); a name that
 * configuration no longer names answers every call with {@link BackendUnavailableException}. The
 * object stays valid across service replacements, so callers may keep it.
 */
final class GuardedKeystore implements Keystore {
  private final CallGuard guard;
  private final BooleanSupplier configured;
  private final Supplier<PluginSettings> settings;
  private volatile Object infoSource;
  private volatile BackendInfo info;

  GuardedKeystore(CallGuard guard, BooleanSupplier configured, Supplier<PluginSettings> settings) {
    this.guard = guard;
    this.configured = configured;
    this.settings = settings;
  }

  String name() {
    return guard.name();
  }

  CallGuard guard() {
    return guard;
  }

  @Override
  public BackendInfo info() {
    Object source = guardServiceMarker();
    BackendInfo cached = info;
    if (cached != null && source == infoSource) {
      return cached;
    }
    try {
      BackendInfo fresh =
          guard.runUngated(null, settings.get().callTimeout(), Keystore::info, Keystore::info);
      info = fresh;
      infoSource = source;
      return fresh;
    } catch (KeystoreException e) {
      return new BackendInfo(
          name(), false, Limits.MAX_SEALED_RECORD_BYTES, "unavailable: " + e.getMessage());
    }
  }

  /**
   * @return the info of the current service if already known, without calling the backend
   */
  java.util.Optional<BackendInfo> knownInfo() {
    BackendInfo cached = info;
    return cached != null && infoSource == guardServiceMarker()
        ? java.util.Optional.of(cached)
        : java.util.Optional.empty();
  }

  @Override
  public long store(KeyMetadata metadata, byte[] sealed) throws KeystoreException {
    checkConfigured(metadata.ref());
    return guard.run(
        metadata.ref(),
        timeout(),
        s -> s.store(metadata, sealed),
        s -> storeReconciling(s, metadata, sealed));
  }

  @Override
  public KeyRecord retrieve(KeyRef ref) throws KeystoreException {
    checkConfigured(ref);
    return guard.run(ref, timeout(), s -> s.retrieve(ref), s -> s.retrieve(ref));
  }

  @Override
  public long updateMetadata(KeyMetadata updated, long expectedRevision) throws KeystoreException {
    checkConfigured(updated.ref());
    return guard.run(
        updated.ref(),
        timeout(),
        s -> s.updateMetadata(updated, expectedRevision),
        s -> updateReconciling(s, updated, expectedRevision));
  }

  @Override
  public long replaceSealed(KeyMetadata updated, byte[] sealed, long expectedRevision)
      throws KeystoreException {
    checkConfigured(updated.ref());
    // no reconciling retry: after a lost answer the caller re-reads and decides again
    return guard.run(
        updated.ref(),
        timeout(),
        s -> s.replaceSealed(updated, sealed, expectedRevision),
        s -> s.replaceSealed(updated, sealed, expectedRevision));
  }

  @Override
  public boolean delete(KeyRef ref) throws KeystoreException {
    checkConfigured(ref);
    return guard.run(ref, timeout(), s -> s.delete(ref), s -> s.delete(ref));
  }

  @Override
  public Page<KeyMetadata> list(KeyFilter filter) throws KeystoreException {
    checkConfigured(null);
    return guard.run(null, timeout(), s -> s.list(filter), s -> s.list(filter));
  }

  /** Health within the health timeout; never throws, a failure is reported as UNAVAILABLE. */
  @Override
  public BackendHealth health() {
    Duration timeout = settings.get().healthTimeout();
    long start = System.nanoTime();
    try {
      return guard.runUngated(null, timeout, Keystore::health, Keystore::health);
    } catch (KeystoreException e) {
      return BackendHealth.of(
          BackendState.UNAVAILABLE, e.getMessage(), Duration.ofNanos(System.nanoTime() - start));
    }
  }

  /**
   * A store retried on a new service after the old one failed mid-call: if the old one completed it
   * (a shared store such as OpenBao), the record is there already; the same bytes and metadata
   * count as done.
   */
  private static long storeReconciling(Keystore service, KeyMetadata metadata, byte[] sealed)
      throws KeystoreException {
    try {
      return service.store(metadata, sealed);
    } catch (KeyAlreadyExistsException e) {
      KeyRecord existing = service.retrieve(metadata.ref());
      byte[] bytes = existing.sealed();
      try {
        if (existing.metadata().equals(metadata) && Arrays.equals(bytes, sealed)) {
          return existing.revision();
        }
      } finally {
        Arrays.fill(bytes, (byte) 0);
      }
      throw e;
    }
  }

  private static long updateReconciling(Keystore service, KeyMetadata updated, long expected)
      throws KeystoreException {
    try {
      return service.updateMetadata(updated, expected);
    } catch (ConcurrentUpdateException e) {
      KeyRecord existing = service.retrieve(updated.ref());
      if (existing.metadata().equals(updated)) {
        return existing.revision();
      }
      throw e;
    }
  }

  private void checkConfigured(KeyRef ref) throws BackendUnavailableException {
    if (!configured.getAsBoolean()) {
      throw new BackendUnavailableException(
          name(), ref, "no longer named by the configuration", null, null, true);
    }
  }

  private Duration timeout() {
    return settings.get().callTimeout();
  }

  private Object guardServiceMarker() {
    return guard.currentService();
  }

  @Override
  public String toString() {
    return "GuardedKeystore[" + name() + "]";
  }
}
