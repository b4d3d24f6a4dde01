package org.openkcm.keystore.grpc.internal;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.openkcm.keystore.api.KeyService;
import org.openkcm.keystore.api.KeystoreAdmin;
import org.openkcm.keystore.api.RoutedRecords;
import org.openkcm.keystore.audit.OperationObserver;
import org.openkcm.keystore.model.InvalidConfigurationException;
import org.osgi.framework.BundleContext;
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
 * Runs the gRPC server while a configuration (PID {@value #PID}, config.yaml {@code grpc:}) exists.
 * A change of the client table or of the certificate files applies in place, without dropping
 * connections; a change of address, transport or limits restarts the server. An invalid
 * configuration is logged and changes nothing.
 */
@Component(
    service = {},
    configurationPid = GrpcServerComponent.PID,
    configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = GrpcConfig.class)
public final class GrpcServerComponent {
  public static final String PID = "org.openkcm.keystore.grpc";
  static final String DEV_ENV = "OPENKCM_KEYSTORE_DEV";
  static final String DEV_PROPERTY = "openkcm.keystore.dev";

  /** Service property marking an observer as an audit trail. */
  static final String AUDIT_PROPERTY = "keystore.audit";

  private static final Logger LOG = LoggerFactory.getLogger(GrpcServerComponent.class);

  private final KeyService keys;
  private final RoutedRecords records;
  private final boolean devMode;
  private final BackendHealthPublisher health;
  private final DoorObservers observers = new DoorObservers();
  private final ScheduledExecutorService watch =
      Executors.newSingleThreadScheduledExecutor(GrpcServer.named("openkcm-grpc-watch-"));
  private volatile ClientTable clients = ClientTable.EMPTY;
  private GrpcSettings settings;
  private GrpcServer server;
  private ReloadingTls tls;
  private ScheduledFuture<?> reload;

  @Activate
  public GrpcServerComponent(
      @Reference KeyService keys,
      @Reference RoutedRecords records,
      @Reference KeystoreAdmin admin,
      BundleContext context,
      GrpcConfig config) {
    this.keys = keys;
    this.records = records;
    this.devMode =
        "true".equalsIgnoreCase(System.getenv(DEV_ENV))
            || "true".equalsIgnoreCase(context.getProperty(DEV_PROPERTY));
    this.health = new BackendHealthPublisher(admin);
    watch.scheduleWithFixedDelay(this::refreshHealth, 0, 1, TimeUnit.SECONDS);
    configure(config);
  }

  /** The audit trails and metrics the door reports its calls to (never this bundle's witness). */
  @Reference(
      name = "observers",
      service = OperationObserver.class,
      cardinality = ReferenceCardinality.MULTIPLE,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY,
      target = "(!(component.name=org.openkcm.keystore.grpc.internal.CoreEventWitness))")
  void addObserver(OperationObserver observer, Map<String, Object> props) {
    observers.add(observer, "true".equals(String.valueOf(props.get(AUDIT_PROPERTY))));
  }

  void removeObserver(OperationObserver observer) {
    observers.remove(observer);
  }

  @Modified
  synchronized void configure(GrpcConfig config) {
    GrpcSettings next;
    try {
      next = GrpcSettings.from(config, devMode);
    } catch (InvalidConfigurationException e) {
      LOG.error(
          "gRPC configuration rejected ({}); {}",
          e.getMessage(),
          server == null
              ? "the server is not started"
              : "the previous settings stay in force: " + settings);
      return;
    }
    if (!next.needsRestart(settings) && server != null) {
      clients = next.clients();
      settings = next;
      LOG.info("gRPC authorization table updated in place: {} client(s)", clients.size());
      return;
    }
    try {
      ReloadingTls nextTls =
          next.plaintext()
              ? null
              : new ReloadingTls(next.certFile(), next.keyFile(), next.clientCaFile());
      stopServer();
      clients = next.clients();
      tls = nextTls;
      server =
          new GrpcServer(
              next, tls, new GrpcServer.Parts(keys, records, () -> clients, health, observers));
      settings = next;
      if (tls != null) {
        long every = next.reloadInterval().toMillis();
        reload =
            watch.scheduleWithFixedDelay(tls::reloadIfChanged, every, every, TimeUnit.MILLISECONDS);
      }
    } catch (InvalidConfigurationException | IOException e) {
      LOG.error("gRPC server not started on {}:{}: {}", next.host(), next.port(), e.getMessage());
      settings = null;
    }
  }

  @Deactivate
  synchronized void deactivate() {
    stopServer();
    health.shutdown();
    watch.shutdownNow();
    try {
      watch.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void stopServer() {
    if (reload != null) {
      reload.cancel(false);
      reload = null;
    }
    if (server != null) {
      server.close();
      server = null;
    }
  }

  private void refreshHealth() {
    try {
      health.refresh();
    } catch (RuntimeException e) {
      LOG.warn("gRPC health not refreshed: {}", e.getClass().getName());
    }
  }
}
