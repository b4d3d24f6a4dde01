package org.openkcm.keystore.core.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.model.InvalidConfigurationException;

/**
 * config.yaml {@code plugins:} as OpenKCM's list of go-plugin entries: one named factory
 * configuration each.
 */
class PluginEntriesTest {
  private static Map<String, Map<String, Object>> translate(String yaml)
      throws InvalidConfigurationException {
    return ConfigTranslator.translate(
        YamlConfigReader.read(yaml), Map.of(), FieldCatalog.NONE, InstalledSections.all());
  }

  @Test
  void eachEntryBecomesANamedFactoryConfigurationAndHealthStillConfiguresThePluginManager()
      throws Exception {
    Map<String, Map<String, Object>> pids =
        translate(
            """
                plugins:
                  - name: bbolt
                    path: /opt/openkcm/plugins/keystore-bbolt
                    type: KeystoreOperations
                    args: ["-db", "/var/lib/openkcm/bbolt.db"]
                    env: {GODEBUG: "madvdontneed=1"}
                    checksum: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
                    logLevel: debug
                    tags: [persistent, go]
                    yamlConfiguration: |
                      maxRecordBytes: 4096
                  - name: spare
                    path: /opt/openkcm/plugins/keystore-bbolt
                    checksum: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
                    disabled: true
                health:
                  absentWait: 3s
                """);
    assertThat(pids)
        .containsOnlyKeys(
            "org.openkcm.keystore.goplugin~bbolt",
            "org.openkcm.keystore.goplugin~spare",
            "org.openkcm.keystore.plugins");
    Map<String, Object> bbolt = pids.get("org.openkcm.keystore.goplugin~bbolt");
    assertThat(bbolt)
        .containsEntry("name", "bbolt")
        .containsEntry("logLevel", "debug")
        .containsEntry("yamlConfiguration", "maxRecordBytes: 4096\n");
    assertThat((String[]) bbolt.get("args")).containsExactly("-db", "/var/lib/openkcm/bbolt.db");
    assertThat((String[]) bbolt.get("env")).containsExactly("GODEBUG=madvdontneed=1");
    assertThat((String[]) bbolt.get("tags")).containsExactly("persistent", "go");
    assertThat(pids.get("org.openkcm.keystore.goplugin~spare")).containsEntry("disabled", true);
    assertThat(pids.get("org.openkcm.keystore.plugins")).containsEntry("absentWait", "3s");
  }

  @Test
  void badEntriesAreRejectedNamingTheField() {
    String sum = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    assertThatThrownBy(() -> translate("plugins:\n  - path: /x\n    checksum: " + sum + "\n"))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("plugins[0].name");
    assertThatThrownBy(() -> translate("plugins:\n  - name: a\n    checksum: " + sum + "\n"))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("plugins[0].path");
    assertThatThrownBy(
            () ->
                translate(
                    "plugins:\n  - {name: a, path: /x, checksum: " + sum + ", colour: red}\n"))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("plugins[0].colour");
    assertThatThrownBy(
            () ->
                translate(
                    "plugins:\n  - {name: a, path: /x, checksum: "
                        + sum
                        + "}\n  - {name: a, path: /y, checksum: "
                        + sum
                        + "}\n"))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("plugins[1].name");
    assertThatThrownBy(
            () -> translate("plugins:\n  - {name: routing, path: /x, checksum: " + sum + "}\n"))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("reserved");
    assertThatThrownBy(
            () ->
                translate(
                    "plugins:\n  - {name: a, path: /x, checksum: " + sum + ", env: [NOEQUALS]}\n"))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("plugins[0].env");
  }
}
