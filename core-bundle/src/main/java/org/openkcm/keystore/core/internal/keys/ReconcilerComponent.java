package org.openkcm.keystore.core.internal.keys;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.openkcm.keystore.api.KeyService;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link CryptoKeyService#reconcile} once at start (after the grace period has no effect on
 * records a previous run left: they are old) and then every {@code interval}, on one daemon thread.
 * A pass that fails is logged and the next one tries again; passes never overlap.
 */
@Component(
    configurationPid = ReconcilerConfig.PID,
    configurationPolicy = ConfigurationPolicy.OPTIONAL,
    immediate = true)
@Designate(ocd = ReconcilerConfig.class)
public final class ReconcilerComponent {
  private static final Logger LOG = LoggerFactory.getLogger(ReconcilerComponent.class);

  private final CryptoKeyService core;
  private ScheduledExecutorService scheduler;

  @Activate
  public ReconcilerComponent(
      @Reference(
              name = "keyService",
              target = "(component.name=org.openkcm.keystore.core.internal.keys.CryptoKeyService)")
          KeyService keyService) {
    // only this bundle's crypto core (target filter), never another bundle's KeyService
    this.core = (CryptoKeyService) keyService;
  }

  @Activate
  @Modified
  synchronized void configure(ReconcilerConfig config) {
    stop();
    if (!config.enabled()) {
      LOG.warn("Reconciler disabled: half-done sagas stay until it runs again");
      return;
    }
    Duration interval;
    Duration grace;
    try {
      ReconcilerSettings settings = ReconcilerSettings.from(config);
      interval = settings.interval();
      grace = settings.gracePeriod();
    } catch (InvalidKeyRequestException e) {
      LOG.error(
          "Reconciler configuration rejected ({}); using interval 1m, grace 30s", e.getMessage());
      interval = Duration.ofMinutes(1);
      grace = Duration.ofSeconds(30);
    }
    boolean duplicates = config.duplicateScan();
    Duration g = grace;
    scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "keystore-reconciler");
              t.setDaemon(true);
              return t;
            });
    scheduler.scheduleWithFixedDelay(
        () -> pass(g, duplicates), 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    LOG.info(
        "Reconciler every {} (grace period {}, duplicate scan {})",
        interval,
        grace,
        duplicates ? "on" : "off");
  }

  private void pass(Duration grace, boolean duplicates) {
    try {
      core.reconcile(grace, duplicates);
    } catch (RuntimeException e) {
      LOG.error("Reconciler pass failed; next pass as scheduled", e);
    }
  }

  @Deactivate
  synchronized void stop() {
    if (scheduler != null) {
      scheduler.shutdownNow();
      scheduler = null;
    }
  }
}
