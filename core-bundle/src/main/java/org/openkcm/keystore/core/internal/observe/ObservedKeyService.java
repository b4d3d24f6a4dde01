package org.openkcm.keystore.core.internal.observe;

import java.time.Instant;
import java.util.Locale;
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
  private final DoorSite create;
  private final DoorSite open;
  private final DoorSite openActive;
  private final DoorSite encrypt;
  private final DoorSite decrypt;
  private final DoorSite rotate;
  private final DoorSite[] changeStatus = new DoorSite[KeyStatus.values().length];
  private final DoorSite changeStatusNull;
  private final DoorSite updateMetadata;
  private final DoorSite destroy;
  private final DoorSite destroyCascade;
  private final DoorSite metadata;
  private final DoorSite list;

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
    // the calls the cache serves are sampled for observers that accept samples; the others (writes,
    // listings) go to a backend and every one is reported
    create = observers.site("key.create", false);
    open = observers.site("key.open", true);
    openActive = observers.site("key.open_active", true);
    encrypt = observers.site("key.encrypt", true);
    decrypt = observers.site("key.decrypt", true);
    rotate = observers.site("key.rotate", false);
    for (KeyStatus s : KeyStatus.values()) {
      changeStatus[s.ordinal()] =
          observers.site("key.status." + s.name().toLowerCase(Locale.ROOT), false);
    }
    changeStatusNull = observers.site("key.status.null", false);
    updateMetadata = observers.site("key.update_metadata", false);
    destroy = observers.site("key.destroy", false);
    destroyCascade = observers.site("key.destroy_cascade", false);
    metadata = observers.site("key.metadata", true);
    list = observers.site("key.list", false);
  }

  private static String symbolicName(Bundle b) {
    return b == null ? null : b.getSymbolicName();
  }

  @Override
  public KeyMetadata create(CreateKeyRequest request) throws KeystoreException {
    return call.run(
        create,
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
    long[] untimed = call.enter(open);
    if (untimed == null) {
      return call.timed(
          open,
          (e, none) -> ref(e, ref),
          () -> core.open(ref),
          (e, h) -> describe(e, h.metadata()));
    }
    try {
      return ObservedCall.succeeded(open, untimed, core.open(ref));
    } catch (KeystoreException | RuntimeException x) {
      call.failed(open, untimed, x, (e, none) -> ref(e, ref));
      throw x;
    }
  }

  @Override
  public KeyHandle openActive(String keyId) throws KeystoreException {
    long[] untimed = call.enter(openActive);
    if (untimed == null) {
      return call.timed(
          openActive,
          (e, none) -> e.key(keyId, 0),
          () -> core.openActive(keyId),
          (e, h) -> describe(e, h.metadata()));
    }
    try {
      return ObservedCall.succeeded(openActive, untimed, core.openActive(keyId));
    } catch (KeystoreException | RuntimeException x) {
      call.failed(openActive, untimed, x, (e, none) -> e.key(keyId, 0));
      throw x;
    }
  }

  @Override
  public byte[] encrypt(String keyId, byte[] plaintext, byte[] aad) throws KeystoreException {
    long[] untimed = call.enter(encrypt);
    if (untimed == null) {
      return call.timed(
          encrypt,
          (e, none) -> e.key(keyId, 0),
          () -> core.encrypt(keyId, plaintext, aad),
          (e, r) -> {});
    }
    try {
      return ObservedCall.succeeded(encrypt, untimed, core.encrypt(keyId, plaintext, aad));
    } catch (KeystoreException | RuntimeException x) {
      call.failed(encrypt, untimed, x, (e, none) -> e.key(keyId, 0));
      throw x;
    }
  }

  @Override
  public byte[] decrypt(String keyId, byte[] ciphertext, byte[] aad) throws KeystoreException {
    long[] untimed = call.enter(decrypt);
    if (untimed == null) {
      return call.timed(
          decrypt,
          (e, none) -> e.key(keyId, 0),
          () -> core.decrypt(keyId, ciphertext, aad),
          (e, r) -> {});
    }
    try {
      return ObservedCall.succeeded(decrypt, untimed, core.decrypt(keyId, ciphertext, aad));
    } catch (KeystoreException | RuntimeException x) {
      call.failed(decrypt, untimed, x, (e, none) -> e.key(keyId, 0));
      throw x;
    }
  }

  @Override
  public KeyMetadata rotate(String keyId) throws KeystoreException {
    return call.run(rotate, (e, none) -> e.key(keyId, 0), () -> core.rotate(keyId), this::describe);
  }

  @Override
  public KeyMetadata changeStatus(KeyRef ref, KeyStatus next) throws KeystoreException {
    return call.run(
        next == null ? changeStatusNull : changeStatus[next.ordinal()],
        (e, none) -> ref(e, ref),
        () -> core.changeStatus(ref, next),
        this::describe);
  }

  @Override
  public KeyMetadata updateMetadata(KeyRef ref, Map<String, String> tags, Instant expiresAt)
      throws KeystoreException {
    return call.run(
        updateMetadata,
        (e, none) -> ref(e, ref),
        () -> core.updateMetadata(ref, tags, expiresAt),
        this::describe);
  }

  @Override
  public void destroy(String keyId, boolean cascade) throws KeystoreException {
    call.run(
        cascade ? destroyCascade : destroy,
        (e, none) -> e.key(keyId, 0),
        () -> {
          core.destroy(keyId, cascade);
          return null;
        },
        (e, none) -> {});
  }

  @Override
  public KeyMetadata metadata(KeyRef ref) throws KeystoreException {
    long[] untimed = call.enter(metadata);
    if (untimed == null) {
      return call.timed(
          metadata, (e, none) -> ref(e, ref), () -> core.metadata(ref), this::describe);
    }
    try {
      return ObservedCall.succeeded(metadata, untimed, core.metadata(ref));
    } catch (KeystoreException | RuntimeException x) {
      call.failed(metadata, untimed, x, (e, none) -> ref(e, ref));
      throw x;
    }
  }

  @Override
  public Page<KeyMetadata> list(KeyFilter filter) throws KeystoreException {
    return call.run(
        list,
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
