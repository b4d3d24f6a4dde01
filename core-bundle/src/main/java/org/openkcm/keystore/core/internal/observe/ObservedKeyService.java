package org.openkcm.keystore.core.internal.observe;

import java.time.Instant;
import java.util.Map;
import org.openkcm.keystore.api.CacheStatistics;
import org.openkcm.keystore.api.CreateKeyRequest;
import org.openkcm.keystore.api.KeyHandle;
import org.openkcm.keystore.api.KeyService;
import org.openkcm.keystore.audit.OperationEvent;
import org.openkcm.keystore.core.internal.keys.CryptoKeyService;
import org.openkcm.keystore.core.internal.routing.Router;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Page;
import org.osgi.framework.Bundle;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;

/**
 * The {@link KeyService} other bundles get: the crypto core, each call admitted by and reported to
 * the {@link Observers}. One instance per calling bundle, which is how the bundle is known.
 */
@Component(service = KeyService.class, scope = ServiceScope.BUNDLE)
public final class ObservedKeyService implements KeyService {
  private final KeyService core;
  private final Router router;
  private final ObservedCall call;

  @Activate
  public ObservedKeyService(
      @Reference CryptoKeyService core,
      @Reference Observers observers,
      @Reference Router router,
      ComponentContext context) {
    this(core, observers, router, symbolicName(context.getUsingBundle()));
  }

  /** Outside OSGi (tests, benchmarks). */
  public ObservedKeyService(KeyService core, Observers observers, Router router, String bundle) {
    this.core = core;
    this.router = router;
    this.call = new ObservedCall(observers, bundle);
  }

  private static String symbolicName(Bundle b) {
    return b == null ? null : b.getSymbolicName();
  }

  @Override
  public KeyMetadata create(CreateKeyRequest request) throws KeystoreException {
    return call.run(
        "key.create",
        (e, none) -> {
          if (request != null) {
            e.tier(request.tier().name()).owner(String.valueOf(request.owner()));
            request.keyId().ifPresent(id -> e.key(id, 1));
          }
        },
        () -> core.create(request),
        this::describe);
  }

  @Override
  public KeyHandle open(KeyRef ref) throws KeystoreException {
    return call.run(
        "key.open",
        (e, none) -> ref(e, ref),
        () -> core.open(ref),
        (e, h) -> describe(e, h.metadata()));
  }

  @Override
  public KeyHandle openActive(String keyId) throws KeystoreException {
    return call.run(
        "key.open_active",
        (e, none) -> e.key(keyId, 0),
        () -> core.openActive(keyId),
        (e, h) -> describe(e, h.metadata()));
  }

  @Override
  public byte[] encrypt(String keyId, byte[] plaintext, byte[] aad) throws KeystoreException {
    return call.run(
        "key.encrypt",
        (e, none) -> e.key(keyId, 0),
        () -> core.encrypt(keyId, plaintext, aad),
        (e, r) -> {});
  }

  @Override
  public byte[] decrypt(String keyId, byte[] ciphertext, byte[] aad) throws KeystoreException {
    return call.run(
        "key.decrypt",
        (e, none) -> e.key(keyId, 0),
        () -> core.decrypt(keyId, ciphertext, aad),
        (e, r) -> {});
  }

  @Override
  public KeyMetadata rotate(String keyId) throws KeystoreException {
    return call.run(
        "key.rotate", (e, none) -> e.key(keyId, 0), () -> core.rotate(keyId), this::describe);
  }

  @Override
  public KeyMetadata changeStatus(KeyRef ref, KeyStatus next) throws KeystoreException {
    return call.run(
        "key.status." + (next == null ? "null" : next.name().toLowerCase(java.util.Locale.ROOT)),
        (e, none) -> ref(e, ref),
        () -> core.changeStatus(ref, next),
        this::describe);
  }

  @Override
  public KeyMetadata updateMetadata(KeyRef ref, Map<String, String> tags, Instant expiresAt)
      throws KeystoreException {
    return call.run(
        "key.update_metadata",
        (e, none) -> ref(e, ref),
        () -> core.updateMetadata(ref, tags, expiresAt),
        this::describe);
  }

  @Override
  public void destroy(String keyId, boolean cascade) throws KeystoreException {
    call.run(
        cascade ? "key.destroy_cascade" : "key.destroy",
        (e, none) -> e.key(keyId, 0),
        () -> {
          core.destroy(keyId, cascade);
          return null;
        },
        (e, none) -> {});
  }

  @Override
  public KeyMetadata metadata(KeyRef ref) throws KeystoreException {
    return call.run(
        "key.metadata", (e, none) -> ref(e, ref), () -> core.metadata(ref), this::describe);
  }

  @Override
  public Page<KeyMetadata> list(KeyFilter filter) throws KeystoreException {
    return call.run(
        "key.list",
        (e, none) -> {
          if (filter != null) {
            filter.tier().ifPresent(t -> e.tier(t.name()));
            filter.owner().ifPresent(o -> e.owner(o.toString()));
          }
        },
        () -> core.list(filter),
        (e, page) -> {});
  }

  @Override
  public CacheStatistics cacheStatistics() {
    return core.cacheStatistics();
  }

  private static void ref(OperationEvent.Builder e, KeyRef ref) {
    if (ref != null) {
      e.key(ref.id(), ref.version());
    }
  }

  private void describe(OperationEvent.Builder e, KeyMetadata m) {
    if (m == null) {
      return;
    }
    e.key(m.id(), m.version()).tier(m.tier().name()).owner(m.owner().toString());
    try {
      e.backend(router.table().route(m));
    } catch (RuntimeException unknown) {
      e.backend(null); // no routing table yet: the event says no backend rather than guessing
    }
  }
}
