package org.openkcm.keystore.core.internal.backend;

import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import org.openkcm.keystore.core.internal.config.Durations;
import org.openkcm.keystore.core.internal.routing.RuleParser;
import org.openkcm.keystore.model.InvalidKeyRequestException;

/** The validated, immutable form of {@link PluginsConfig}; swapped whole on a change. */
record PluginSettings(Duration callTimeout, Duration absentWait, int maxConcurrentCalls, int maxQueuedCalls,
        Set<String> inlineBackends, Duration healthInterval, Duration unhealthyInterval, Duration healthTimeout,
        Duration degradedLatency, int breakerFailures, Duration breakerOpenTime) {

    static final PluginSettings DEFAULTS = new PluginSettings(Duration.ofSeconds(5), Duration.ofSeconds(2), 32, 256,
            Set.of("inmemory"), Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(3), Duration.ofSeconds(1), 5, Duration.ofSeconds(5));

    /** @throws InvalidKeyRequestException naming the first bad field ({@code plugins.callTimeout}, ...) */
    static PluginSettings from(PluginsConfig c) throws InvalidKeyRequestException {
        if (c.maxConcurrentCalls() < 1 || c.maxConcurrentCalls() > 1024) {
            throw new InvalidKeyRequestException("plugins.maxConcurrentCalls", "must be between 1 and 1024");
        }
        if (c.maxQueuedCalls() < 0 || c.maxQueuedCalls() > 100_000) {
            throw new InvalidKeyRequestException("plugins.maxQueuedCalls", "must be between 0 and 100000");
        }
        if (c.breakerFailures() < 0 || c.breakerFailures() > 1000) {
            throw new InvalidKeyRequestException("plugins.breakerFailures", "must be between 0 (off) and 1000");
        }
        Set<String> inline = new TreeSet<>();
        String[] names = c.inlineBackends() == null ? new String[0] : c.inlineBackends();
        for (int i = 0; i < names.length; i++) {
            inline.add(RuleParser.checkBackendName("plugins.inlineBackends[" + i + "]", names[i].trim()));
        }
        return new PluginSettings(Durations.positive("plugins.callTimeout", c.callTimeout()),
                Durations.parse("plugins.absentWait", c.absentWait()), c.maxConcurrentCalls(), c.maxQueuedCalls(), Set.copyOf(inline),
                Durations.positive("plugins.healthInterval", c.healthInterval()),
                Durations.positive("plugins.unhealthyInterval", c.unhealthyInterval()),
                Durations.positive("plugins.healthTimeout", c.healthTimeout()),
                Durations.positive("plugins.degradedLatency", c.degradedLatency()), c.breakerFailures(),
                Durations.positive("plugins.breakerOpenTime", c.breakerOpenTime()));
    }
}
