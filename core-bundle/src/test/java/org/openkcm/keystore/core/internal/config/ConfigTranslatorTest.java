package org.openkcm.keystore.core.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.model.InvalidConfigurationException;

class ConfigTranslatorTest {
  static final String EXAMPLE =
      """
            routing:
              default: inmemory
              rules:
                - tier: [L2, L3]
                  owner: "tenant:eu-*"
                  tags: {region: eu}
                  backend: openbao
                - tier: L4
                  backend: inmemory
                - "tag.region=us -> openbao"
              backends: [legacy]
            backends:
              openbao:
                address: https://127.0.0.1:8200
                mount: secret
              inmemory:
                maxEntries: 5000
            plugins:
              callTimeout: 2s
              maxConcurrentCalls: 8
            cache:
              l3:
                ttl: 5m
                maxEntries: 1000
            rootKey:
              provider: local
              masterKeyFile: conf/master.key
            """;

  private static Map<String, Map<String, Object>> translate(String yaml, Map<String, String> env)
      throws InvalidConfigurationException {
    return ConfigTranslator.translate(
        YamlConfigReader.read(yaml), env, FieldCatalog.NONE, InstalledSections.all());
  }

  @Test
  void everySectionGoesToItsPidWithTypedValues() throws Exception {
    Map<String, Map<String, Object>> pids = translate(EXAMPLE, Map.of());
    assertThat(pids)
        .containsOnlyKeys(
            "org.openkcm.keystore.routing",
            "org.openkcm.keystore.openbao",
            "org.openkcm.keystore.inmemory",
            "org.openkcm.keystore.plugins",
            "org.openkcm.keystore.cache",
            "org.openkcm.keystore.rootkey");
    Map<String, Object> routing = pids.get("org.openkcm.keystore.routing");
    assertThat((String[]) routing.get("rules"))
        .containsExactly(
            "tier=L2,L3 owner=tenant:eu-* tag.region=eu -> openbao",
            "tier=L4 -> inmemory",
            "tag.region=us -> openbao");
    assertThat(routing.get("defaultBackend")).isEqualTo("inmemory");
    assertThat((String[]) routing.get("backends")).containsExactly("legacy");
    assertThat(pids.get("org.openkcm.keystore.openbao"))
        .containsEntry("address", "https://127.0.0.1:8200")
        .containsEntry("mount", "secret")
        .doesNotContainKey("token");
    assertThat(pids.get("org.openkcm.keystore.inmemory")).containsEntry("maxEntries", 5000);
    assertThat(pids.get("org.openkcm.keystore.plugins"))
        .containsEntry("callTimeout", "2s")
        .containsEntry("maxConcurrentCalls", 8);
    assertThat(pids.get("org.openkcm.keystore.cache"))
        .containsEntry("l3.ttl", "5m")
        .containsEntry("l3.maxEntries", 1000);
    assertThat(pids.get("org.openkcm.keystore.rootkey")).containsEntry("provider", "local");
  }

  @Test
  void environmentOverridesTheFileAndBaoVariablesMapToOpenBao() throws Exception {
    Map<String, Map<String, Object>> pids =
        translate(
            EXAMPLE,
            Map.of(
                "OPENKCM_KEYSTORE_PLUGINS_CALL_TIMEOUT",
                "750ms",
                "OPENKCM_KEYSTORE_BACKENDS_INMEMORY_MAX_ENTRIES",
                "42",
                "BAO_ADDR",
                "http://127.0.0.1:8201",
                "BAO_TOKEN",
                "s.env-token",
                "BAO_NAMESPACE",
                "team-a",
                "OPENKCM_KEYSTORE_BACKENDS_OPENBAO_ADDRESS",
                "http://127.0.0.1:8300",
                "OPENKCM_KEYSTORE_ROUTING_RULES",
                "tier=L4 -> inmemory; * -> openbao",
                "OPENKCM_KEYSTORE_CONFIG",
                "/elsewhere/config.yaml",
                "OPENKCM_KEYSTORE_HOME",
                "/opt/keystore"));
    assertThat(pids.get("org.openkcm.keystore.plugins"))
        .containsEntry("callTimeout", "750ms")
        .containsEntry("maxConcurrentCalls", 8);
    assertThat(pids.get("org.openkcm.keystore.inmemory")).containsEntry("maxEntries", 42);
    // OPENKCM_KEYSTORE_* beats BAO_*, which beats the file; BAO_TOKEN is read by the OpenBao
    // bundle, never copied
    assertThat(pids.get("org.openkcm.keystore.openbao"))
        .containsEntry("address", "http://127.0.0.1:8300")
        .containsEntry("namespace", "team-a")
        .doesNotContainKey("token");
    assertThat(pids.toString()).doesNotContain("s.env-token");
    assertThat((String[]) pids.get("org.openkcm.keystore.routing").get("rules"))
        .containsExactly("tier=L4 -> inmemory", "* -> openbao");
  }

  @Test
  void environmentAloneConfiguresABackendNamedWithUnderscores() throws Exception {
    Map<String, Map<String, Object>> pids =
        translate(
            "backends:\n  bao_eu: {address: 'http://127.0.0.1:1'}\n",
            Map.of(
                "OPENKCM_KEYSTORE_BACKENDS_BAO_EU_MOUNT",
                "kv-eu",
                "OPENKCM_KEYSTORE_ROOT_KEY_PROVIDER",
                "openbao-transit"));
    assertThat(pids.get("org.openkcm.keystore.bao_eu")).containsEntry("mount", "kv-eu");
    assertThat(pids.get("org.openkcm.keystore.rootkey"))
        .containsEntry("provider", "openbao-transit");
  }

  @Test
  void reconcilerAndCircuitBreakerSettingsReachTheirPids() throws Exception {
    Map<String, Map<String, Object>> pids =
        translate(
            "reconciler:\n  interval: 2m\n  gracePeriod: 45s\n  duplicateScan: false\n"
                + "plugins:\n  breakerFailures: 7\n  breakerOpenTime: 3s\n",
            Map.of("OPENKCM_KEYSTORE_RECONCILER_ENABLED", "false"));
    assertThat(pids.get("org.openkcm.keystore.reconciler"))
        .containsEntry("interval", "2m")
        .containsEntry("gracePeriod", "45s")
        .containsEntry("duplicateScan", false)
        .containsEntry("enabled", false);
    assertThat(pids.get("org.openkcm.keystore.plugins"))
        .containsEntry("breakerFailures", 7)
        .containsEntry("breakerOpenTime", "3s");
    assertRejected("reconciler:\n  intervall: 1m\n", Map.of(), "reconciler.intervall");
    assertRejected("reconciler:\n  gracePeriod: soon\n", Map.of(), "reconciler.gracePeriod");
    assertRejected("plugins:\n  breakerFailures: many\n", Map.of(), "plugins.breakerFailures");
  }

  @Test
  void invalidConfigurationIsRejectedNamingTheField() {
    assertRejected(
        "routing:\n  rules:\n    - {tier: L9, backend: x}\n", Map.of(), "routing.rules[0].tier");
    assertRejected(
        "routing:\n  rules:\n    - {tier: L2, backend: x, colour: red}\n",
        Map.of(),
        "routing.rules[0].colour");
    assertRejected("routing:\n  defualt: x\n", Map.of(), "routing.defualt");
    assertRejected("plugins:\n  callTimeout: soon\n", Map.of(), "plugins.callTimeout");
    assertRejected("plugins:\n  callTimeout: 5\n", Map.of(), "plugins.callTimeout");
    assertRejected("health:\n  interval: -3s\n", Map.of(), "plugins.interval");
    assertRejected(
        "plugins:\n  maxConcurrentCalls: many\n", Map.of(), "plugins.maxConcurrentCalls");
    assertRejected("cache:\n  l2: {ttl: forever}\n", Map.of(), "cache.l2.ttl");
    assertRejected("cache:\n  ttl: 5m\n", Map.of(), "cache.ttl");
    assertRejected("caches:\n  ttl: 5s\n", Map.of(), "caches");
    assertRejected("backends:\n  routing: {}\n", Map.of(), "backends.routing");
    assertRejected(
        "backends:\n  openbao: {address: 'ftp://x'}\n", Map.of(), "backends.openbao.address");
    assertRejected(
        "plugins: {}\n",
        Map.of("OPENKCM_KEYSTORE_PLUGINS_CALL_TIMOUT", "1s"),
        "plugins.callTimout (from OPENKCM_KEYSTORE_PLUGINS_CALL_TIMOUT)");
    assertRejected(
        "",
        Map.of("OPENKCM_KEYSTORE_PLUGINS_HEALTH_TIMEOUT", "later"),
        "plugins.healthTimeout (from OPENKCM_KEYSTORE_PLUGINS_HEALTH_TIMEOUT)");
  }

  @Test
  void sectionsOwnedByOtherBundlesAreCheckedAgainstTheirMetatypeWhenInstalled() throws Exception {
    FieldCatalog catalog =
        pid ->
            pid.equals("org.openkcm.keystore.openbao")
                ? java.util.Optional.of(java.util.Set.of("address", "token", "mount"))
                : java.util.Optional.empty();
    assertThatThrownBy(
            () ->
                ConfigTranslator.translate(
                    YamlConfigReader.read("backends:\n  openbao: {adress: 'http://127.0.0.1:1'}\n"),
                    Map.of(),
                    catalog))
        .isInstanceOf(InvalidConfigurationException.class)
        .satisfies(
            e ->
                assertThat(((InvalidConfigurationException) e).field())
                    .hasValue("backends.openbao.adress"))
        .hasMessageContaining("address, mount, token");
    // no metatype for this backend: its fields pass with their yaml types
    assertThat(
            ConfigTranslator.translate(
                    YamlConfigReader.read("backends:\n  postgres: {url: x, poolSize: 4}\n"),
                    Map.of(),
                    catalog)
                .get("org.openkcm.keystore.postgres"))
        .containsEntry("poolSize", 4);
  }

  @Test
  void nestedAndDottedFieldsOfOtherBundlesBecomeTheDottedPropertiesDsReads() throws Exception {
    FieldCatalog catalog =
        pid ->
            pid.equals("org.openkcm.keystore.cache")
                ? java.util.Optional.of(
                    java.util.Set.of("l2.maxEntries", "l2.ttl", "l4.maxEntries"))
                : java.util.Optional.empty();
    Map<String, Map<String, Object>> pids =
        ConfigTranslator.translate(
            YamlConfigReader.read(
                "cache:\n  l2: {maxEntries: 500, ttl: 60s}\n  l4.maxEntries: 9\n"),
            Map.of("OPENKCM_KEYSTORE_CACHE_L4_MAX_ENTRIES", "10"),
            catalog);
    assertThat(pids.get("org.openkcm.keystore.cache"))
        .containsEntry("l2.maxEntries", 500)
        .containsEntry("l2.ttl", "60s")
        .containsEntry("l4.maxEntries", 10)
        .doesNotContainKey("l4MaxEntries");
    assertThatThrownBy(
            () ->
                ConfigTranslator.translate(
                    YamlConfigReader.read("cache:\n  l2: {maxEntrys: 5}\n"), Map.of(), catalog))
        .satisfies(
            e ->
                assertThat(((InvalidConfigurationException) e).field())
                    .hasValue("cache.l2.maxEntrys"));
  }

  @Test
  void theTransitRootKeySharesTheOpenBaoConnectionUnlessItSetsItsOwn() throws Exception {
    Map<String, Map<String, Object>> pids =
        translate(
            """
                backends:
                  openbao: {address: 'https://127.0.0.1:8200', mount: kv, namespace: team-a}
                rootKey:
                  provider: openbao-transit
                  transit: {keyName: root-1, mount: transit-eu}
                """,
            Map.of("BAO_TOKEN", "s.env-token"));
    assertThat(pids.get("org.openkcm.keystore.rootkey"))
        .containsEntry("provider", "openbao-transit")
        .doesNotContainKey("transit.keyName");
    assertThat(pids.get("org.openkcm.keystore.openbao.transit"))
        .containsEntry("keyName", "root-1")
        .containsEntry("mount", "transit-eu")
        .containsEntry("address", "https://127.0.0.1:8200")
        .containsEntry("namespace", "team-a")
        .doesNotContainKey("token");
    // only the KV backend: no Transit PID
    assertThat(translate("backends:\n  openbao: {address: 'http://127.0.0.1:1'}\n", Map.of()))
        .doesNotContainKey("org.openkcm.keystore.openbao.transit");
  }

  @Test
  void thePkcs11RootKeySectionGoesToItsPidAndAPinIsRefusedUnechoed() throws Exception {
    Map<String, Map<String, Object>> pids =
        translate(
            """
                rootKey:
                  provider: pkcs11
                  pkcs11: {library: /usr/lib/softhsm/libsofthsm2.so, slot: 7, keyLabel: ks-root, pinFile: /run/secrets/pin}
                """,
            Map.of());
    assertThat(pids.get("org.openkcm.keystore.rootkey"))
        .containsEntry("provider", "pkcs11")
        .doesNotContainKey("pkcs11");
    assertThat(pids.get("org.openkcm.keystore.pkcs11"))
        .containsEntry("library", "/usr/lib/softhsm/libsofthsm2.so")
        .containsEntry("slot", 7)
        .containsEntry("keyLabel", "ks-root")
        .containsEntry("pinFile", "/run/secrets/pin");
    // the token's label is a name, not a secret
    assertThat(
            translate("rootKey:\n  pkcs11: {tokenLabel: ks-root}\n", Map.of())
                .get("org.openkcm.keystore.pkcs11"))
        .containsEntry("tokenLabel", "ks-root");
    assertThatThrownBy(() -> translate("rootKey:\n  pkcs11: {pin: '91827364'}\n", Map.of()))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("rootKey.pkcs11.pin")
        .hasMessageNotContaining("91827364");
  }

  @Test
  void badYamlNamesTheLineButNeverEchoesItsContent() {
    String yaml = "backends:\n  openbao:\n    token: s.super-secret-token: oops\n";
    assertThatThrownBy(() -> translate(yaml, Map.of()))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("config.yaml")
        .hasMessageContaining("line 3")
        .hasMessageNotContaining("super-secret");
  }

  @Test
  void yamlTagsThatConstructObjectsAreRefused() {
    assertThatThrownBy(() -> translate("cache: !!javax.script.ScriptEngineManager [x]\n", Map.of()))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("config.yaml");
  }

  @Test
  void secretsInTheFileOrInOpenkcmVariablesAreRefusedNotCopiedIntoConfigAdmin() {
    assertThatThrownBy(
            () ->
                translate(
                    "backends:\n  openbao:\n    address: http://127.0.0.1:8200\n    token: s.in-the-file\n",
                    Map.of()))
        .hasMessageContaining("backends.openbao.token")
        .hasMessageContaining("BAO_TOKEN_FILE")
        .hasMessageNotContaining("s.in-the-file");
    assertThatThrownBy(
            () -> translate("", Map.of("OPENKCM_KEYSTORE_BACKENDS_OPENBAO_SECRET_ID", "s.approle")))
        .hasMessageContaining("OPENKCM_KEYSTORE_BACKENDS_OPENBAO_SECRET_ID")
        .hasMessageNotContaining("s.approle");
    assertThatThrownBy(() -> translate("rootKey:\n  transit: {token: s.transit}\n", Map.of()))
        .hasMessageNotContaining("s.transit");
  }

  @Test
  void secretsAreNeverEchoedInErrors() {
    assertThatThrownBy(
            () -> translate("backends:\n  openbao:\n    token: [s.list-token]\n", Map.of()))
        .hasMessageContaining("backends.openbao.token")
        .hasMessageNotContaining("s.list-token");
  }

  @Test
  void aThirdBundleDeclaresItsSectionsVariablesAndSharedConnectionWithoutEditingTheCore()
      throws Exception {
    String declaration =
        """
            backends.vaultish.pid = org.openkcm.keystore.vaultish
            backends.vaultish.types = endpoint:url, depth:int
            backends.vaultish.env = VAULTISH_ENDPOINT:endpoint
            backends.vaultish.secrets = set VAULTISH_KEY_FILE
            rootKey.vaultish.pid = org.openkcm.keystore.vaultish.root
            rootKey.vaultish.inherits = backends.vaultish
            rootKey.vaultish.notInherited = depth
            rootKey.vaultish.provider = vaultish-root
            """;
    SectionDeclarations declared =
        new SectionDeclarations(
            SectionDeclarations.read(
                new java.io.ByteArrayInputStream(
                    declaration.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    Map<String, Map<String, Object>> pids =
        ConfigTranslator.translate(
            YamlConfigReader.read(
                "backends:\n  vaultish: {depth: 3}\nrootKey:\n  provider: vaultish-root\n"),
            Map.of(
                "VAULTISH_ENDPOINT",
                "https://127.0.0.1:9999",
                "OPENKCM_KEYSTORE_BACKENDS_VAULTISH_DEPTH",
                "4"),
            FieldCatalog.NONE,
            declared);
    assertThat(pids.get("org.openkcm.keystore.vaultish"))
        .containsEntry("endpoint", "https://127.0.0.1:9999")
        .containsEntry("depth", 4);
    assertThat(pids.get("org.openkcm.keystore.vaultish.root"))
        .containsEntry("endpoint", "https://127.0.0.1:9999")
        .doesNotContainKey("depth");
    assertThatThrownBy(
            () ->
                ConfigTranslator.translate(
                    YamlConfigReader.read(""),
                    Map.of("VAULTISH_ENDPOINT", "ftp://x"),
                    FieldCatalog.NONE,
                    declared))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("backends.vaultish.endpoint (from VAULTISH_ENDPOINT)");
    assertThatThrownBy(
            () ->
                ConfigTranslator.translate(
                    YamlConfigReader.read("backends:\n  vaultish: {authToken: k-123}\n"),
                    Map.of(),
                    FieldCatalog.NONE,
                    declared))
        .hasMessageContaining("VAULTISH_KEY_FILE")
        .hasMessageNotContaining("k-123");
    // without the bundle's declaration its variables mean nothing to the core
    assertThat(
            ConfigTranslator.translate(
                YamlConfigReader.read(""),
                Map.of("VAULTISH_ENDPOINT", "https://h"),
                FieldCatalog.NONE,
                SectionDeclarations.NONE))
        .isEmpty();
  }

  private static void assertRejected(String yaml, Map<String, String> env, String field) {
    assertThatThrownBy(() -> translate(yaml, env))
        .isInstanceOf(InvalidConfigurationException.class)
        .satisfies(e -> assertThat(((InvalidConfigurationException) e).field()).hasValue(field));
  }
}
