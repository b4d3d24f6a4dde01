package org.openkcm.keystore.core.internal.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Sections removed from config.yaml remove the bridge's configurations of their PIDs, all of them in one
 * edit. The fake ConfigurationAdmin behaves like Felix's: a deleted Configuration throws on every call.
 */
class ConfigSyncTest {
    private final Map<String, Dictionary<String, Object>> store = new TreeMap<>();

    @Test
    void removingSeveralSectionsInOneEditRemovesEveryOneOfTheirPids() throws Exception {
        ConfigSync sync = new ConfigSync(configAdmin(), "config.yaml", () -> FieldCatalog.NONE);
        sync.apply("routing:\n  default: inmemory\nplugins:\n  callTimeout: 2s\ncache:\n  ttl: 5m\nrootKey:\n  provider: local\n", Map.of());
        assertThat(store).containsOnlyKeys("org.openkcm.keystore.routing", "org.openkcm.keystore.plugins", "org.openkcm.keystore.cache",
                "org.openkcm.keystore.rootkey");

        sync.apply("routing:\n  default: inmemory\n", Map.of());

        assertThat(store).as("cache, rootKey and plugins all gone in the same edit").containsOnlyKeys("org.openkcm.keystore.routing");
    }

    @Test
    void configurationsTheBridgeDidNotWriteAreKept() throws Exception {
        Hashtable<String, Object> console = new Hashtable<>();
        console.put("maxEntries", 5);
        store.put("org.openkcm.keystore.inmemory", console);
        ConfigSync sync = new ConfigSync(configAdmin(), "config.yaml", () -> FieldCatalog.NONE);
        sync.apply("plugins:\n  callTimeout: 2s\n", Map.of());
        sync.apply("", Map.of());
        assertThat(store).containsOnlyKeys("org.openkcm.keystore.inmemory");
    }

    private ConfigurationAdmin configAdmin() {
        return (ConfigurationAdmin) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ConfigurationAdmin.class},
                (p, m, a) -> switch (m.getName()) {
                    case "getConfiguration" -> configuration((String) a[0]);
                    case "listConfigurations" -> {
                        String filter = (String) a[0];
                        String source = filter.substring(filter.indexOf('=') + 1, filter.length() - 1);
                        Configuration[] ours = store.entrySet().stream().filter(e -> source.equals(e.getValue().get(ConfigSync.SOURCE_PROPERTY)))
                                .map(e -> configuration(e.getKey())).toArray(Configuration[]::new);
                        yield ours.length == 0 ? null : ours;
                    }
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    private Configuration configuration(String pid) {
        boolean[] deleted = {false};
        return (Configuration) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Configuration.class}, (p, m, a) -> {
            if (deleted[0]) {
                throw new IllegalStateException("Configuration " + pid + " deleted");
            }
            return switch (m.getName()) {
                case "getPid" -> pid;
                case "getProperties" -> store.get(pid);
                case "update" -> {
                    @SuppressWarnings("unchecked")
                    Dictionary<String, Object> d = (Dictionary<String, Object>) a[0];
                    store.put(pid, d);
                    yield null;
                }
                case "delete" -> {
                    store.remove(pid);
                    deleted[0] = true;
                    yield null;
                }
                default -> throw new UnsupportedOperationException(m.getName());
            };
        });
    }
}
