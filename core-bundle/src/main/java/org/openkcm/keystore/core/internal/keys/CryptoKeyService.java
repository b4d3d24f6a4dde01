package org.openkcm.keystore.core.internal.keys;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.openkcm.keystore.api.CacheStatistics;
import org.openkcm.keystore.api.CreateKeyRequest;
import org.openkcm.keystore.api.KeyHandle;
import org.openkcm.keystore.api.KeyService;
import org.openkcm.keystore.audit.AuditKeys;
import org.openkcm.keystore.core.internal.backend.BackendDirectory;
import org.openkcm.keystore.core.internal.cache.CacheConfig;
import org.openkcm.keystore.core.internal.cache.CacheSettings;
import org.openkcm.keystore.core.internal.cache.CachedKey;
import org.openkcm.keystore.core.internal.cache.KeyCache;
import org.openkcm.keystore.core.internal.config.Durations;
import org.openkcm.keystore.core.internal.crypto.DataCipher;
import org.openkcm.keystore.core.internal.crypto.RootKeyConfig;
import org.openkcm.keystore.core.internal.observe.Observers;
import org.openkcm.keystore.model.ConcurrentUpdateException;
import org.openkcm.keystore.model.InvalidConfigurationException;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Limits;
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.spi.RootKeyProvider;
import org.osgi.framework.Constants;
import org.osgi.service.component.ComponentServiceObjects;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The crypto core. Persists only through {@link BackendDirectory}; wraps L2 keys with the root-key
 * provider whose name the {@value RootKeyConfig#PID} configuration ({@code provider}) gives, chosen
 * by name among the registered ones ({@link RootKeySelector}). Cache policy comes from {@value
 * CacheConfig#PID} (whose metatype {@link CacheConfig} designates itself, as a component with two
 * PIDs cannot carry a Designate) and is applied on the fly.
 */
@Component(
    service = CryptoKeyService.class,
    configurationPid = {CacheConfig.PID, RootKeyConfig.PID, ReconcilerConfig.PID},
    configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class CryptoKeyService implements KeyService, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CryptoKeyService.class);

  private final KeyPlacement placement;
  private final KeyResolver resolver;
  private final KeyVersions versions;
  private final KeyCreator creator;
  private final KeyRotation rotation;
  private final KeyLifecycle lifecycle;
  private final KeyDestroyer destroyer;
  private final SagaReconciler reconciler;
  private final ReconcilerSchedule schedule =
      new ReconcilerSchedule(this::reconcile, () -> this.observers);

  /** Where the reconciler's repairs are reported (the audit trail), while one is bound. */
  @Reference(
      name = "observers",
      cardinality = ReferenceCardinality.OPTIONAL,
      policy = ReferencePolicy.DYNAMIC)
  private volatile Observers observers;

  /** Chooses the configured provider among the registered ones; {@code null} outside OSGi. */
  private final RootKeySelector selector;

  private final StateKeys stateKeys;
  private final BackendDirectory directory;

  /** The root key provider in use, behind the master-key guard. */
  private final RootKeyProvider root;

  private volatile KeyCache cache;

  @Activate
  public CryptoKeyService(
      @Reference(name = "backendDirectory") BackendDirectory directory,
      CacheConfig cacheConfig,
      RootKeyConfig rootConfig,
      ReconcilerConfig reconcilerConfig) {
    this(
        directory,
        new RootKeySelector(rootConfig.provider()),
        new KeyCache(cacheSettings(cacheConfig, CacheSettings.defaults())));
    applyTolerance(rootConfig);
    LOG.info("Crypto core active; root key provider '{}'", rootConfig.provider());
    schedule.configure(reconcilerConfig);
  }

  /**
   * Every registered root-key provider, tracked without getting it: the selector gets only the one
   * the configuration names (so the local provider, a delayed component, is not activated
   * needlessly).
   */
  @Reference(
      name = "rootKeyProviders",
      service = RootKeyProvider.class,
      cardinality = ReferenceCardinality.MULTIPLE,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  void bindRootKeyProvider(
      ComponentServiceObjects<RootKeyProvider> provider, Map<String, Object> props) {
    Object name = props.get(RootKeyProvider.PROVIDER_PROPERTY);
    if (name == null || selector == null) {
      return;
    }
    Object ranking = props.get(Constants.SERVICE_RANKING);
    selector.add(
        new RootKeySelector.Candidate(
            name.toString(),
            ranking instanceof Integer r ? r : 0,
            (Long) props.get(Constants.SERVICE_ID),
            RootKeySelector.once(provider::getService)));
  }

  void unbindRootKeyProvider(
      ComponentServiceObjects<RootKeyProvider> provider, Map<String, Object> props) {
    if (selector != null) {
      selector.remove((Long) props.get(Constants.SERVICE_ID));
    }
  }

  /** Outside OSGi (tests, benchmarks): one fixed root-key provider, no reconciler schedule. */
  public CryptoKeyService(
      BackendDirectory directory, RootKeyProvider selectedRoot, KeyCache cache) {
    this(directory, selectedRoot, null, cache);
  }

  private CryptoKeyService(BackendDirectory directory, RootKeySelector selector, KeyCache cache) {
    this(directory, selector, selector, cache);
  }

  private CryptoKeyService(
      BackendDirectory directory,
      RootKeyProvider selectedRoot,
      RootKeySelector selector,
      KeyCache cache) {
    this.cache = cache;
    this.selector = selector;
    RootKeyProvider root =
        new MasterKeyGuard(
            selectedRoot, selector == null ? () -> selectedRoot : selector::current, directory);
    this.root = root;
    this.stateKeys = new StateKeys(root);
    this.placement = new KeyPlacement(new AuthenticatedDirectory(directory, stateKeys));
    this.resolver = new KeyResolver(placement, this::cache, root);
    this.versions = new KeyVersions(placement, this::cache);
    KeyChildren children = new KeyChildren(placement.directory());
    this.creator = new KeyCreator(placement, resolver, versions, root);
    this.rotation = new KeyRotation(versions, resolver, root);
    this.lifecycle = new KeyLifecycle(placement, children, this::cache);
    this.destroyer = new KeyDestroyer(versions, children, placement, this::cache);
    this.reconciler = new SagaReconciler(placement, destroyer, children, this::cache);
    this.directory = directory;
    directory.restampMigrationsWith(stateKeys::forCopy);
  }

  @Modified
  void modified(
      CacheConfig cacheConfig, RootKeyConfig rootConfig, ReconcilerConfig reconcilerConfig) {
    reconfigure(cacheConfig, rootConfig);
    schedule.configure(reconcilerConfig);
  }

  /** A change of the cache policy or of the root key provider; caches are rebuilt. */
  private void reconfigure(CacheConfig cacheConfig, RootKeyConfig rootConfig) {
    if (selector != null && !selector.name().equals(rootConfig.provider())) {
      selector.configure(rootConfig.provider());
      LOG.info("Root key provider switched to '{}'", rootConfig.provider());
    }
    applyTolerance(rootConfig);
    KeyCache old = cache;
    CacheSettings next = cacheSettings(cacheConfig, null);
    if (next == null) {
      return;
    }
    cache = new KeyCache(next);
    old.close();
    LOG.info("Key cache policy changed; caches rebuilt (the old ones were zeroized)");
  }

  /**
   * A refused cache configuration (a .cfg or console edit) is logged and {@code otherwise} used.
   */
  private static CacheSettings cacheSettings(CacheConfig c, CacheSettings otherwise) {
    try {
      return CacheSettings.from(c);
    } catch (InvalidConfigurationException e) {
      LOG.error(
          "Cache configuration rejected ({}); {}",
          e.getMessage(),
          otherwise == null ? "the cache policy in force stays" : "using the defaults");
      return otherwise;
    }
  }

  KeyCache cache() {
    return cache;
  }

  /**
   * A key for the audit trail ({@link AuditKeyService}), derived through the guarded root key; only
   * audit labels are accepted, so the core's own derived keys (record state) stay out of reach.
   */
  byte[] deriveAuditKey(String label) throws KeystoreException {
    if (label == null || !label.startsWith(AuditKeys.LABEL_PREFIX)) {
      throw new InvalidKeyRequestException(
          "label", "an audit key label starts with '" + AuditKeys.LABEL_PREFIX + "'");
    }
    return root.deriveKey(label);
  }

  /**
   * Moves every stored record onto the current root key ({@link RootRewrap}); {@code dryRun} counts
   * without writing.
   */
  RootRewrap.Report rewrap(boolean dryRun) {
    return resolver.rewrap().run(placement.directory(), dryRun);
  }

  /** An invalid value is logged and the previous one kept. */
  private void applyTolerance(RootKeyConfig c) {
    try {
      writeTimeTolerance(
          Durations.within(
              "rootKey.writeTimeTolerance",
              c.writeTimeTolerance(),
              Duration.ofSeconds(1),
              Duration.ofHours(1)));
    } catch (InvalidConfigurationException e) {
      LOG.error("{}; keeping {}", e.getMessage(), stateKeys.writeTimeTolerance());
    }
  }

  /**
   * See {@link StateKeys#writeTimeTolerance(Duration)} (tests set a tiny one to get past it
   * quickly).
   */
  void writeTimeTolerance(Duration d) {
    stateKeys.writeTimeTolerance(d);
  }

  @Override
  public KeyMetadata create(CreateKeyRequest request) throws KeystoreException {
    return creator.create(required("request", request), cache);
  }

  @Override
  public KeyHandle open(KeyRef ref) throws KeystoreException {
    CachedKey k = resolver.resolve(required("keyId", ref), KeyIds.tierHint(ref.id()));
    return new OpenedKey(k.metadata(), k.material());
  }

  @Override
  public KeyHandle openActive(String keyId) throws KeystoreException {
    CachedKey k = resolveActive(keyId);
    return new OpenedKey(k.metadata(), k.material());
  }

  /**
   * @return the highest ACTIVE version, resolved (metadata and a copy of the material the caller
   *     zeroizes)
   */
  private CachedKey resolveActive(String keyId) throws KeystoreException {
    Limits.checkId("keyId", keyId);
    for (int attempt = 0; attempt < 2; attempt++) {
      KeyMetadata active = versions.active(keyId);
      if (active == null) {
        KeyVersions.Versions all =
            versions.read(keyId); // throws KeyNotFoundException for an unknown key
        for (KeyMetadata m : all.all()) {
          if (StateKeys.isCorrupt(m)) {
            throw StateKeys.integrity(
                m,
                all.home().info().name(),
                "has state that fails the core's"
                    + " authentication (edited in the backend); no version of '"
                    + keyId
                    + "' is usable as ACTIVE");
          }
        }
        throw new InvalidKeyRequestException("status", "key '" + keyId + "' has no ACTIVE version");
      }
      CachedKey k = resolver.resolve(active.ref(), KeyIds.tierHint(keyId));
      if (k.metadata().status() == KeyStatus.ACTIVE) {
        return k;
      }
      KeyCreator.wipe(k.material()); // the active index was stale: drop it and look again
      cache.invalidate(active.ref());
    }
    throw new ConcurrentUpdateException(
        null, null, "key '" + keyId + "' changed while being opened; try again");
  }

  /**
   * Encrypts with the active version's cached material directly: no handle, one copy of the key,
   * wiped before this returns (the checks are the handle's).
   */
  @Override
  public byte[] encrypt(String keyId, byte[] plaintext, byte[] aad) throws KeystoreException {
    CachedKey k = resolveActive(keyId);
    try {
      OpenedKey.checkEncrypt(k.metadata(), plaintext);
      return DataCipher.encrypt(k.material(), k.metadata().version(), plaintext, aad);
    } finally {
      KeyCreator.wipe(k.material());
    }
  }

  /** Decrypts with the named version's cached material directly, as {@link #encrypt}. */
  @Override
  public byte[] decrypt(String keyId, byte[] ciphertext, byte[] aad) throws KeystoreException {
    KeyRef ref = KeyRef.of(keyId, DataCipher.keyVersion(ciphertext));
    CachedKey k = resolver.resolve(ref, KeyIds.tierHint(keyId));
    try {
      return DataCipher.decrypt(k.material(), ref, ciphertext, aad);
    } finally {
      KeyCreator.wipe(k.material());
    }
  }

  @Override
  public KeyMetadata rotate(String keyId) throws KeystoreException {
    Limits.checkId("keyId", keyId);
    return rotation.rotate(keyId, cache);
  }

  @Override
  public KeyMetadata changeStatus(KeyRef ref, KeyStatus next) throws KeystoreException {
    return lifecycle.changeStatus(required("keyId", ref), next);
  }

  @Override
  public KeyMetadata updateMetadata(KeyRef ref, Map<String, String> tags, Instant expiresAt)
      throws KeystoreException {
    return lifecycle.updateMetadata(required("keyId", ref), tags, expiresAt);
  }

  @Override
  public void destroy(String keyId, boolean cascade) throws KeystoreException {
    destroyer.destroy(keyId, cascade);
  }

  @Override
  public KeyMetadata metadata(KeyRef ref) throws KeystoreException {
    KeyMetadata m = cache.cachedMetadata(required("keyId", ref));
    if (m != null) {
      return m;
    }
    Located l = placement.retrieve(ref);
    cache.putSealed(l.record(), l.backend());
    return l.record().metadata();
  }

  @Override
  public Page<KeyMetadata> list(KeyFilter filter) throws KeystoreException {
    return placement
        .directory()
        .listReachable(required("filter", filter)); // partial, naming what is down
  }

  /**
   * One reconciler pass over every configured backend (see {@link SagaReconciler}).
   *
   * @param grace intent records younger than this are left alone (their saga may still run)
   * @param duplicates whether to look for records held by two backends (lists every backend)
   */
  public ReconcileReport reconcile(java.time.Duration grace, boolean duplicates) {
    return reconciler.reconcile(grace, duplicates);
  }

  @Override
  public CacheStatistics cacheStatistics() {
    return cache.statistics();
  }

  /** Zeroizes every cached key. */
  @Deactivate
  @Override
  public void close() {
    schedule.stop();
    directory.restampMigrationsWith(null);
    creator.close();
    cache.close();
    stateKeys.close();
  }

  /** The re-authentication this core hands to migrations (tests drive a migrator with it). */
  org.openkcm.keystore.core.internal.backend.KeyMigrator.Restamp migrationStamps() {
    return stateKeys::forCopy;
  }

  private static <T> T required(String field, T value) throws InvalidKeyRequestException {
    if (value == null) {
      throw new InvalidKeyRequestException(field, "is required");
    }
    return value;
  }
}
