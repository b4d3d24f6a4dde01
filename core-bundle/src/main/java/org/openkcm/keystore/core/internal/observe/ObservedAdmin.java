package org.openkcm.keystore.core.internal.observe;

import java.util.List;
import org.openkcm.keystore.api.BackendStatus;
import org.openkcm.keystore.api.KeyLocation;
import org.openkcm.keystore.api.KeystoreAdmin;
import org.openkcm.keystore.api.MigrationReport;
import org.openkcm.keystore.api.RouteView;
import org.openkcm.keystore.core.internal.backend.CoreAdmin;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeystoreException;
import org.osgi.framework.Bundle;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;

/**
 * The {@link KeystoreAdmin} other bundles get: the core's, its actions (health checks, migrations)
 * admitted by and reported to the {@link Observers}; the views ({@link #backends}, {@link #routes})
 * change nothing and are passed through.
 */
@Component(service = KeystoreAdmin.class, scope = ServiceScope.BUNDLE)
public final class ObservedAdmin implements KeystoreAdmin {
  private final KeystoreAdmin core;
  private final ObservedCall call;
  private final DoorSite checkHealth;
  private final DoorSite migrate;
  private final DoorSite migrateForce;

  @Activate
  public ObservedAdmin(
      @Reference(name = "directory") CoreAdmin core,
      @Reference Observers observers,
      ComponentContext context) {
    this(core, observers, symbolicName(context.getUsingBundle()));
  }

  /** Outside OSGi (tests). */
  public ObservedAdmin(KeystoreAdmin core, Observers observers, String bundle) {
    this.core = core;
    this.call = new ObservedCall(observers, bundle);
    checkHealth = observers.site("admin.check_health", false);
    migrate = observers.site("admin.migrate", false);
    migrateForce = observers.site("admin.migrate_force", false);
  }

  private static String symbolicName(Bundle b) {
    return b == null ? null : b.getSymbolicName();
  }

  @Override
  public List<BackendStatus> backends() {
    return core.backends();
  }

  @Override
  public BackendStatus checkHealth(String backend) throws KeystoreException {
    return call.run(
        checkHealth,
        (e, none) -> e.backend(backend),
        () -> core.checkHealth(backend),
        (e, s) -> {});
  }

  @Override
  public List<RouteView> routes() {
    return core.routes();
  }

  @Override
  public String routeOf(KeyMetadata newKey) throws KeystoreException {
    return core.routeOf(newKey);
  }

  @Override
  public KeyLocation locate(KeyRef ref) throws KeystoreException {
    return core.locate(ref);
  }

  @Override
  public MigrationReport migrate(KeyFilter filter, String targetBackend) throws KeystoreException {
    return migrate(filter, targetBackend, false);
  }

  @Override
  public MigrationReport migrate(KeyFilter filter, String targetBackend, boolean force)
      throws KeystoreException {
    return call.run(
        force ? migrateForce : migrate,
        (e, none) -> {
          e.backend(targetBackend).subject(targetBackend);
          if (filter != null) {
            filter.tier().ifPresent(t -> e.tier(t.name()));
            filter.owner().ifPresent(o -> e.owner(o.toString()));
          }
        },
        () ->
            force ? core.migrate(filter, targetBackend, true) : core.migrate(filter, targetBackend),
        (e, r) -> {});
  }
}
