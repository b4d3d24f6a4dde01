package org.openkcm.keystore.core.internal.keys;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.openkcm.keystore.audit.OperationEvent;
import org.openkcm.keystore.core.internal.observe.Observers;
import org.openkcm.keystore.model.InvalidConfigurationException;
import org.openkcm.keystore.model.KeystoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the crypto core's reconciler ({@link CryptoKeyService#reconcile}) once at start (the grace
 * period has no effect on records a previous run left: they are old) and then every {@code
 * interval}, on one daemon thread. A pass that fails is logged and the next one tries again; passes
 * never overlap. Owned by the crypto core, which hands it its {@link ReconcilerConfig}.
 */
final class ReconcilerSchedule {
  private static final Logger LOG = LoggerFactory.getLogger(ReconcilerSchedule.class);

  /** One reconciler pass. */
  @FunctionalInterface
  interface Pass {
    ReconcileReport run(Duration grace, boolean duplicates);
  }

  private final Pass core;
  private final Supplier<Observers> observers;
  private ScheduledExecutorService scheduler;

  /**
   * @param observers where a repairing pass is reported (the audit trail); {@code null} from it
   *     while none is bound
   */
  ReconcilerSchedule(Pass core, Supplier<Observers> observers) {
    this.core = core;
    this.observers = observers;
  }

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
    } catch (InvalidConfigurationException e) {
      interval = ReconcilerSettings.DEFAULTS.interval();
      grace = ReconcilerSettings.DEFAULTS.gracePeriod();
      LOG.error(
          "Reconciler configuration rejected ({}); using the defaults: interval {}, grace {}",
          e.getMessage(),
          interval,
          grace);
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
      Instant start = Instant.now();
      long t0 = System.nanoTime();
      ReconcileReport report = core.run(grace, duplicates);
      Observers o = observers.get();
      if (o != null && (report.repaired() > 0 || report.conflicts() > 0)) {
        o.completed(
            OperationEvent.builder("reconciler.repair", start)
                .actor("reconciler")
                .subject(report.toString())
                .outcome(report.failed() > 0 ? "Partial" : OperationEvent.OK)
                .durationNanos(System.nanoTime() - t0)
                .build());
      }
    } catch (KeystoreException e) {
      LOG.error("Reconciler repairs could not be recorded: {}", e.getMessage());
    } catch (RuntimeException e) {
      LOG.error("Reconciler pass failed; next pass as scheduled", e);
    }
  }

  synchronized void stop() {
    if (scheduler != null) {
      scheduler.shutdownNow();
      scheduler = null;
    }
  }
}
