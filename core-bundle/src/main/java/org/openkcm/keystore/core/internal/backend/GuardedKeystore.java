package org.openkcm.keystore.core.internal.backend;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.openkcm.keystore.model.BackendUnavailableException;
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
 * The {@link Keystore} the core holds for one configured backend name: the one call layer between
 * the core and a backend. Every call is a {@link Request} gated by the backend's circuit breaker
 * (one outcome per request, however many attempts it made); each attempt goes to the best service
 * of that name at that moment, under the call deadline and within the backend's bulkhead ({@link
 * CallGuard}); idempotent calls are retried ({@link Request#idempotent}); a write whose answer was
 * lost is resolved by reading it back ({@link WriteReadBack}). A name that configuration no longer
 * names answers every call with {@link BackendUnavailableException}. The object stays valid across
 * service replacements, so callers may keep it.
 *
 * <p>Health and info are single attempts outside the breaker: they must see the backend itself.
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
      BackendInfo fresh = request(null, settings.get().callTimeout()).once(Keystore::info);
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
    KeyRef ref = metadata.ref();
    checkConfigured(ref);
    Request r = request(ref, timeout());
    return guard.gated(ref, () -> WriteReadBack.store(r, metadata, sealed));
  }

  @Override
  public KeyRecord retrieve(KeyRef ref) throws KeystoreException {
    checkConfigured(ref);
    Request r = request(ref, timeout());
    return guard.gated(ref, () -> r.idempotent(s -> s.retrieve(ref)));
  }

  @Override
  public long updateMetadata(KeyMetadata updated, long expectedRevision) throws KeystoreException {
    KeyRef ref = updated.ref();
    checkConfigured(ref);
    Request r = request(ref, timeout());
    return guard.gated(ref, () -> WriteReadBack.update(r, updated, expectedRevision));
  }

  /**
   * Sent once: after a lost answer the caller (the rewrap) reads the record again and decides
   * again; either wrap opens.
   */
  @Override
  public long replaceSealed(KeyMetadata updated, byte[] sealed, long expectedRevision)
      throws KeystoreException {
    KeyRef ref = updated.ref();
    checkConfigured(ref);
    Request r = request(ref, timeout());
    return guard.gated(ref, () -> r.once(s -> s.replaceSealed(updated, sealed, expectedRevision)));
  }

  /** Deleting twice is harmless, so a lost answer is simply asked again. */
  @Override
  public boolean delete(KeyRef ref) throws KeystoreException {
    checkConfigured(ref);
    Request r = request(ref, timeout());
    return guard.gated(ref, () -> r.idempotent(s -> s.delete(ref)));
  }

  @Override
  public Page<KeyMetadata> list(KeyFilter filter) throws KeystoreException {
    checkConfigured(null);
    Request r = request(null, timeout());
    return guard.gated(null, () -> r.idempotent(s -> s.list(filter)));
  }

  /** Health within the health timeout; never throws, a failure is reported as UNAVAILABLE. */
  @Override
  public BackendHealth health() {
    Duration timeout = settings.get().healthTimeout();
    long start = System.nanoTime();
    try {
      return request(null, timeout).once(Keystore::health);
    } catch (KeystoreException e) {
      return BackendHealth.of(
          BackendState.UNAVAILABLE, e.getMessage(), Duration.ofNanos(System.nanoTime() - start));
    }
  }

  private void checkConfigured(KeyRef ref) throws BackendUnavailableException {
    if (!configured.getAsBoolean()) {
      throw new BackendUnavailableException(
          name(), ref, "no longer named by the configuration", null, null, true);
    }
  }

  private Request request(KeyRef ref, Duration timeout) {
    return new Request(guard, ref, timeout);
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
