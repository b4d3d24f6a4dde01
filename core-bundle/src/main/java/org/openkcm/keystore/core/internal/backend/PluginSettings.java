package org.openkcm.keystore.core.internal.backend;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.openkcm.keystore.core.internal.config.ComponentConfigs;
import org.openkcm.keystore.core.internal.config.Durations;
import org.openkcm.keystore.core.internal.routing.RuleParser;
import org.openkcm.keystore.model.InvalidConfigurationException;

/** The validated, immutable form of {@link PluginsConfig}; swapped whole on a change. */
public record PluginSettings(
    Duration callTimeout,
    Duration absentWait,
    int maxConcurrentCalls,
    int maxQueuedCalls,
    Set<String> inlineBackends,
    Set<String> workerBackends,
    Duration healthInterval,
    Duration unhealthyInterval,
    Duration healthTimeout,
    Duration degradedLatency,
    int breakerFailures,
    Duration breakerOpenTime) {

  /**
   * Limits that keep a typo from turning health checks into a busy loop or a deadline into never.
   */
  static final Duration MIN_TIME = Duration.ofMillis(1);

  static final Duration MIN_INTERVAL = Duration.ofMillis(10);
  static final Duration MAX_CALL = Duration.ofMinutes(10);
  static final Duration MAX_INTERVAL = Duration.ofDays(1);

  /** {@link PluginsConfig}'s declared defaults: the metatype is their only source. */
  static final PluginSettings DEFAULTS = defaultsOf();

  /**
   * @throws InvalidConfigurationException naming the first bad field ({@code plugins.callTimeout},
   *     ...)
   */
  public static PluginSettings from(PluginsConfig c) throws InvalidConfigurationException {
    if (c.maxConcurrentCalls() < 1 || c.maxConcurrentCalls() > 1024) {
      throw new InvalidConfigurationException(
          "plugins.maxConcurrentCalls", "must be between 1 and 1024");
    }
    if (c.maxQueuedCalls() < 0 || c.maxQueuedCalls() > 100_000) {
      throw new InvalidConfigurationException(
          "plugins.maxQueuedCalls", "must be between 0 and 100000");
    }
    if (c.breakerFailures() < 0 || c.breakerFailures() > 1000) {
      throw new InvalidConfigurationException(
          "plugins.breakerFailures", "must be between 0 (off) and 1000");
    }
    Set<String> inline = new TreeSet<>();
    String[] names = c.inlineBackends() == null ? new String[0] : c.inlineBackends();
    for (int i = 0; i < names.length; i++) {
      inline.add(RuleParser.checkBackendName("plugins.inlineBackends[" + i + "]", names[i].trim()));
    }
    Set<String> workers = new TreeSet<>();
    String[] forced = c.workerBackends() == null ? new String[0] : c.workerBackends();
    for (int i = 0; i < forced.length; i++) {
      workers.add(
          RuleParser.checkBackendName("plugins.workerBackends[" + i + "]", forced[i].trim()));
    }
    return new PluginSettings(
        Durations.within("plugins.callTimeout", c.callTimeout(), MIN_TIME, MAX_CALL),
        Durations.within("plugins.absentWait", c.absentWait(), Duration.ZERO, MAX_CALL),
        c.maxConcurrentCalls(),
        c.maxQueuedCalls(),
        Set.copyOf(inline),
        Set.copyOf(workers),
        Durations.within("plugins.healthInterval", c.healthInterval(), MIN_INTERVAL, MAX_INTERVAL),
        Durations.within(
            "plugins.unhealthyInterval", c.unhealthyInterval(), MIN_INTERVAL, MAX_INTERVAL),
        Durations.within("plugins.healthTimeout", c.healthTimeout(), MIN_TIME, MAX_CALL),
        Durations.within("plugins.degradedLatency", c.degradedLatency(), MIN_TIME, MAX_CALL),
        c.breakerFailures(),
        Durations.within("plugins.breakerOpenTime", c.breakerOpenTime(), MIN_TIME, MAX_INTERVAL));
  }

  private static PluginSettings defaultsOf() {
    try {
      return from(ComponentConfigs.of(PluginsConfig.class, Map.of()));
    } catch (InvalidConfigurationException e) {
      throw new IllegalStateException(
          "PluginsConfig's own defaults are invalid: " + e.getMessage());
    }
  }
}
