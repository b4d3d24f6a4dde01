package org.openkcm.keystore.core.internal.keys;

import java.time.Duration;
import java.util.Map;
import org.openkcm.keystore.core.internal.config.ComponentConfigs;
import org.openkcm.keystore.core.internal.config.Durations;
import org.openkcm.keystore.model.InvalidConfigurationException;

/**
 * The validated reconciler configuration, shared by the component and the config bridge (which
 * refuses a change the component would reject, before applying anything). The limits keep a typo
 * from turning the reconciler into back-to-back full scans, or from rolling back sagas that are
 * still running.
 */
public record ReconcilerSettings(
    boolean enabled, Duration interval, Duration gracePeriod, boolean duplicateScan) {
  static final Duration MIN_INTERVAL = Duration.ofMillis(100);
  static final Duration MAX_INTERVAL = Duration.ofDays(1);
  static final Duration MIN_GRACE = Duration.ofSeconds(1);
  static final Duration MAX_GRACE = Duration.ofDays(7);

  /** {@link ReconcilerConfig}'s declared defaults: the metatype is their only source. */
  static final ReconcilerSettings DEFAULTS = defaultsOf();

  /**
   * @throws InvalidConfigurationException naming the field and the limit
   */
  public static ReconcilerSettings from(ReconcilerConfig c) throws InvalidConfigurationException {
    return new ReconcilerSettings(
        c.enabled(),
        Durations.within("reconciler.interval", c.interval(), MIN_INTERVAL, MAX_INTERVAL),
        Durations.within("reconciler.gracePeriod", c.gracePeriod(), MIN_GRACE, MAX_GRACE),
        c.duplicateScan());
  }

  private static ReconcilerSettings defaultsOf() {
    try {
      return from(ComponentConfigs.of(ReconcilerConfig.class, Map.of()));
    } catch (InvalidConfigurationException e) {
      throw new IllegalStateException(
          "ReconcilerConfig's own defaults are invalid: " + e.getMessage());
    }
  }
}
