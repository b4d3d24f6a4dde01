package org.openkcm.keystore.core.internal.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.openkcm.keystore.api.BackendStatus;
import org.openkcm.keystore.api.KeyLocation;
import org.openkcm.keystore.api.MigrationReport;
import org.openkcm.keystore.api.RouteView;
import org.openkcm.keystore.core.internal.routing.KeyHolders;
import org.openkcm.keystore.core.internal.routing.Router;
import org.openkcm.keystore.core.internal.routing.RoutingTable;
import org.openkcm.keystore.model.InvalidConfigurationException;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Limits;
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.spi.BackendState;
import org.openkcm.keystore.spi.Keystore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plugin manager: tracks every {@link Keystore} service (dynamic, multiple, greedy), hands out
 * guarded backends for the names the routing configuration names and nothing else, checks their
 * health, and serves the operator view. See {@link BackendServices} for the ranking rule and {@link
 * CallGuard} for deadlines.
 */
@Component(
    service = {BackendDirectory.class, KeyHolders.class, CoreAdmin.class},
    configurationPid = PluginManager.PID,
    configurationPolicy = ConfigurationPolicy.OPTIONAL,
    immediate = true)
@Designate(ocd = PluginsConfig.class)
public final class PluginManager implements BackendDirectory, CoreAdmin, KeyHolders {
  public static final String PID = "org.openkcm.keystore.plugins";
  private static final Logger LOG = LoggerFactory.getLogger(PluginManager.class);
  private static final int KEY_COUNT_PAGES = 100;

  private final BackendServices services = new BackendServices();
  private final Map<String, GuardedKeystore> guards = new ConcurrentHashMap<>();
  private final Router router;
  private volatile PluginSettings settings = PluginSettings.DEFAULTS;
  private volatile KeyMigrator.Restamp restamp;
  private final HealthMonitor health;

  @Activate
  public PluginManager(@Reference Router router) {
    this.router = router;
    this.health =
        new HealthMonitor(
            () -> router.table().configuredBackends(), this::guard, services, () -> settings);
  }

  @Activate
  void activate(PluginsConfig config) {
    configure(config);
    health.start();
  }

  @Modified
  void configure(PluginsConfig config) {
    try {
      settings = PluginSettings.from(config);
      LOG.info("Plugin manager settings in force: {}", settings);
    } catch (InvalidConfigurationException e) {
      LOG.error(
          "Plugin manager configuration rejected ({}); the previous settings stay in force: {}",
          e.getMessage(),
          settings);
    }
  }

  @Deactivate
  void deactivate() {
    health.close();
    guards.values().forEach(g -> g.guard().close());
  }

  @Reference(
      service = Keystore.class,
      cardinality = ReferenceCardinality.MULTIPLE,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  void bindKeystore(Keystore keystore, Map<String, Object> props) {
    services.put(keystore, props);
  }

  void updatedKeystore(Keystore keystore, Map<String, Object> props) {
    services.put(keystore, props);
  }

  void unbindKeystore(Keystore keystore, Map<String, Object> props) {
    services.remove(props);
  }

  // --- BackendDirectory -------------------------------------------------------------------------

  @Override
  public Keystore route(KeyMetadata newKey) throws KeystoreException {
    return backend(router.table().route(newKey));
  }

  @Override
  public List<Keystore> configured() {
    List<Keystore> out = new ArrayList<>();
    router.table().configuredBackends().forEach(n -> out.add(guard(n)));
    return out;
  }

  @Override
  public Keystore backend(String name) throws KeystoreException {
    if (!router.table().isConfigured(name)) {
      throw new InvalidKeyRequestException(
          "backend",
          "'"
              + Limits.printable(name)
              + "' is not named by the routing configuration (configured: "
              + String.join(", ", router.table().configuredBackends())
              + ")");
    }
    return guard(name);
  }

  @Override
  public Page<KeyMetadata> list(KeyFilter filter) throws KeystoreException {
    return MergedListing.list(configured(), filter, false);
  }

  @Override
  public Page<KeyMetadata> listReachable(KeyFilter filter) throws KeystoreException {
    return MergedListing.list(configured(), filter, true);
  }

  // --- KeystoreAdmin ----------------------------------------------------------------------------

  @Override
  public List<BackendStatus> backends() {
    RoutingTable table = router.table();
    Set<String> names = new TreeSet<>(table.configuredBackends());
    names.addAll(services.presentNames());
    List<BackendStatus> out = new ArrayList<>();
    for (String name : names) {
      out.add(status(name, table.isConfigured(name)));
    }
    return out;
  }

  @Override
  public BackendStatus checkHealth(String backend) throws KeystoreException {
    backend(backend); // refuses a name the configuration does not name
    GuardedKeystore g = guard(backend);
    HealthRecord r = health.check(backend);
    BackendState state = r.state();
    // counting pages through a backend that is down would only wait out its deadline
    r.keyCount(state == BackendState.UP || state == BackendState.DEGRADED ? countKeys(g) : -1);
    return status(backend, true);
  }

  @Override
  public KeyLocation locate(KeyRef ref) throws KeystoreException {
    return RecordLocator.locate(configured(), ref);
  }

  @Override
  public List<RouteView> routes() {
    return router.table().views();
  }

  @Override
  public String routeOf(KeyMetadata newKey) throws KeystoreException {
    return router.table().route(newKey);
  }

  @Override
  public MigrationReport migrate(KeyFilter filter, String targetBackend) throws KeystoreException {
    return migrate(filter, targetBackend, false);
  }

  @Override
  public MigrationReport migrate(KeyFilter filter, String targetBackend, boolean force)
      throws KeystoreException {
    Keystore target = backend(targetBackend);
    List<KeyMigrator.Source> sources = new ArrayList<>();
    for (String name : router.table().configuredBackends()) {
      if (!name.equals(targetBackend)) {
        sources.add(new KeyMigrator.Source(name, guard(name)));
      }
    }
    if (!force) {
      MigrationSafety.check(targetBackend, target, sources, filter);
    }
    LOG.info(
        "Migrating keys matching {} from {} to '{}'",
        filter,
        sources.stream().map(KeyMigrator.Source::name).toList(),
        targetBackend);
    return new KeyMigrator(targetBackend, target, restamp).migrate(sources, filter);
  }

  @Override
  public void restampMigrationsWith(KeyMigrator.Restamp r) {
    restamp = r;
  }

  // --- KeyHolders -------------------------------------------------------------------------------

  @Override
  public Holding holding(String backend) {
    if (!router.table().isConfigured(backend) || services.bestCandidate(backend) == null) {
      return Holding.NONE;
    }
    GuardedKeystore g = guard(backend);
    try {
      org.openkcm.keystore.spi.BackendInfo info = g.knownInfo().orElseGet(g::info);
      if (!info.persistent()) {
        // the guard answers "volatile, unavailable: ..." for a backend it could not ask
        return info.description().startsWith("unavailable: ") ? Holding.UNKNOWN : Holding.NONE;
      }
      return g.list(KeyFilter.all().withPageSize(1)).items().isEmpty()
          ? Holding.NONE
          : Holding.SOME;
    } catch (KeystoreException | RuntimeException e) {
      return Holding.UNKNOWN;
    }
  }

  // --- BackendPools ----------------------------------------------------------------------------

  @Override
  public List<Pool> pools() {
    for (String name : router.table().configuredBackends()) {
      guard(name);
    }
    return guards.values().stream().map(g -> g.guard().pool()).toList();
  }

  // --- internals
  // ----------------------------------------------------------------------------------

  /** Exposed for tests and the shell: the guard of a configured name, created on first use. */
  GuardedKeystore guard(String name) {
    return guards.computeIfAbsent(
        name,
        n ->
            new GuardedKeystore(
                new CallGuard(
                    n, services, () -> settings, e -> health.record(n).failedCall(e.getMessage())),
                () -> router.table().isConfigured(n),
                () -> settings));
  }

  private BackendStatus status(String name, boolean configured) {
    BackendServices.Candidate c = services.bestCandidate(name);
    boolean persistent =
        configured && c != null && guard(name).knownInfo().map(i -> i.persistent()).orElse(false);
    HealthRecord r = configured ? health.record(name) : new HealthRecord();
    BackendStatus s = r.toStatus(name, configured, c != null, persistent);
    if (configured) {
      String breaker = guard(name).guard().breaker().describe();
      s =
          new BackendStatus(
              s.name(),
              true,
              s.present(),
              s.persistent(),
              s.state(),
              s.detail().isEmpty() ? breaker : s.detail() + "; " + breaker,
              s.latency(),
              s.checkedAt(),
              s.keyCount());
    }
    if (!configured) {
      // never call an unconfigured service, not even for its health
      return new BackendStatus(
          name,
          false,
          c != null,
          false,
          s.state(),
          "present but not configured: receives nothing",
          s.latency(),
          s.checkedAt(),
          -1);
    }
    return s;
  }

  /**
   * @return the number of records, or -1 when unknown (backend failing, or more than the counting
   *     cap)
   */
  private static long countKeys(Keystore k) {
    long[] count = {0};
    try {
      boolean all =
          Pages.walk(
              k::list,
              KeyFilter.all().withPageSize(Limits.MAX_PAGE_SIZE),
              KEY_COUNT_PAGES,
              m -> ++count[0] > 0);
      return all ? count[0] : -1;
    } catch (KeystoreException e) {
      return -1;
    }
  }
}
