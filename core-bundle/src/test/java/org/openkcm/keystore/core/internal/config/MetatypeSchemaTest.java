package org.openkcm.keystore.core.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.core.internal.backend.PluginsConfig;
import org.openkcm.keystore.core.internal.cache.CacheConfig;
import org.openkcm.keystore.core.internal.cache.CacheSettings;
import org.openkcm.keystore.model.InvalidConfigurationException;
import org.openkcm.keystore.model.KeyTier;

/**
 * The components' metatype is the one schema: field names, types, defaults, environment names and
 * the earlier duration names all follow from it.
 */
class MetatypeSchemaTest {

  private static Map<String, Map<String, Object>> translate(String yaml, Map<String, String> env)
      throws InvalidConfigurationException {
    return ConfigTranslator.translate(YamlConfigReader.read(yaml), env);
  }

  private static MetatypeFields.Field field(Class<?> config, String id) {
    return MetatypeFields.of(config).fields().stream()
        .filter(f -> f.id().equals(id))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void aFieldsYamlAndEnvironmentNamesAndItsTypeComeFromTheMetatype() throws Exception {
    MetatypeFields.Field maxEntries = field(CacheConfig.class, "l2.maxEntries");
    assertThat(maxEntries.yamlName()).isEqualTo("l2.maxEntries");
    assertThat(maxEntries.envName("cache")).isEqualTo("OPENKCM_KEYSTORE_CACHE_L2_MAX_ENTRIES");
    assertThat(maxEntries.fieldType()).isEqualTo(FieldType.INT);
    MetatypeFields.Field callTimeout = field(PluginsConfig.class, "callTimeout");
    assertThat(callTimeout.envName("plugins")).isEqualTo("OPENKCM_KEYSTORE_PLUGINS_CALL_TIMEOUT");
    assertThat(callTimeout.fieldType())
        .as("a String defaulting to 5s")
        .isEqualTo(FieldType.DURATION);
    assertThat(field(CacheConfig.class, "l3.ttl").envName("cache"))
        .isEqualTo("OPENKCM_KEYSTORE_CACHE_L3_TTL");

    // the derived names are the ones the bridge reads, and the value gets the metatype's type
    Map<String, Object> cache =
        translate(
                "cache:\n  l2: {maxEntries: 500}\n",
                Map.of(maxEntries.envName("cache"), "7", "OPENKCM_KEYSTORE_CACHE_L3_TTL", "90s"))
            .get(CacheConfig.PID);
    assertThat(cache).containsEntry("l2.maxEntries", 7).containsEntry("l3.ttl", "90s");
  }

  @Test
  void theDefaultsOfTheSettingsAreTheMetatypeDefaults() {
    assertThat(field(CacheConfig.class, "l2.ttl").defaultValue()).isEqualTo("1h");
    assertThat(CacheSettings.defaults().policy(KeyTier.L2).ttl()).isEqualTo(Duration.ofHours(1));
    assertThat(CacheSettings.defaults().policy(KeyTier.L4).maxEntries())
        .isEqualTo(Integer.parseInt(field(CacheConfig.class, "l4.maxEntries").defaultValue()));
    assertThat(CacheSettings.defaults().revalidateAfter()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void aBadValueIsATypedErrorNamingTheField() {
    String[][] bad = {
      {"cache:\n  l2: {ttl: forever}\n", "cache.l2.ttl"},
      {"cache:\n  l4.maxEntries: many\n", "cache.l4.maxEntries"},
      {"cache:\n  serveStale: sometimes\n", "cache.serveStale"},
      {"cache:\n  l2: {tll: 5m}\n", "cache.l2.tll"},
      {"reconciler:\n  interval: 5\n", "reconciler.interval"},
      {"rootKey:\n  writeTimeTolerance: later\n", "rootKey.writeTimeTolerance"},
    };
    for (String[] b : bad) {
      assertThatThrownBy(() -> translate(b[0], Map.of()))
          .as(b[0])
          .isInstanceOf(InvalidConfigurationException.class)
          .satisfies(e -> assertThat(((InvalidConfigurationException) e).field()).hasValue(b[1]));
    }
    assertThatThrownBy(() -> translate("", Map.of("OPENKCM_KEYSTORE_CACHE_L2_TTL", "soon")))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("cache.l2.ttl")
        .hasMessageContaining("OPENKCM_KEYSTORE_CACHE_L2_TTL");
  }

  @Test
  void anEarlierDurationNameIsAcceptedWithAWarnNamingTheNewField() throws Exception {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    Map<String, Object> cache;
    try {
      cache =
          translate(
                  "cache:\n  l3: {ttlSeconds: 1800, idleSeconds: 300}\n"
                      + "  revalidateAfterMillis: 250\n  maxStalenessSeconds: 60\n",
                  Map.of("OPENKCM_KEYSTORE_CACHE_L4_IDLE_SECONDS", "30"))
              .get(CacheConfig.PID);
    } finally {
      System.setErr(original);
    }
    assertThat(cache)
        .containsEntry("l3.ttl", "1800s")
        .containsEntry("l3.idle", "300s")
        .containsEntry("revalidateAfter", "250ms")
        .containsEntry("maxStaleness", "60s")
        .containsEntry("l4.idle", "30s")
        .doesNotContainKeys("l3.ttlSeconds", "revalidateAfterMillis", "l4IdleSeconds");
    String log = captured.toString(StandardCharsets.UTF_8);
    assertThat(log)
        .contains("WARN")
        .contains("cache.l3.ttlSeconds is deprecated")
        .contains("write cache.l3.ttl: 1800s")
        .contains("write cache.revalidateAfter: 250ms");
    // the applied values are what the component accepts
    assertThat(CacheSettings.from(ComponentConfigs.of(CacheConfig.class, cache)).revalidateAfter())
        .isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void theNewNameWinsOverTheEarlierOneAndAnEarlierNameTakesOnlyAWholeNumber() throws Exception {
    assertThat(
            translate("cache:\n  l2: {ttlSeconds: 60, ttl: 2m}\n", Map.of()).get(CacheConfig.PID))
        .containsEntry("l2.ttl", "2m");
    assertThatThrownBy(() -> translate("cache:\n  l2: {ttlSeconds: 5m}\n", Map.of()))
        .isInstanceOf(InvalidConfigurationException.class)
        .satisfies(
            e ->
                assertThat(((InvalidConfigurationException) e).field())
                    .hasValue("cache.l2.ttlSeconds"))
        .hasMessageContaining("earlier name of cache.l2.ttl");
    // a Seconds/Millis field the metatype has no duration for stays unknown
    assertThatThrownBy(() -> translate("plugins:\n  breakerFailuresMillis: 5\n", Map.of()))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("unknown field");
  }

  @Test
  void anotherBundlesEarlierNamesFollowTheSameRuleThroughItsMetatype() throws Exception {
    FieldCatalog catalog =
        new FieldCatalog() {
          @Override
          public Optional<java.util.Set<String>> fields(String pid) {
            return types(pid).map(Map::keySet);
          }

          @Override
          public Optional<Map<String, FieldType>> types(String pid) {
            return pid.equals("org.openkcm.keystore.postgres")
                ? Optional.of(
                    Map.of(
                        "url", FieldType.STRING,
                        "connectTimeout", FieldType.DURATION,
                        "poolSize", FieldType.INT))
                : Optional.empty();
          }
        };
    Map<String, Object> pg =
        ConfigTranslator.translate(
                YamlConfigReader.read(
                    "backends:\n  postgres: {url: 'jdbc:x', connectTimeoutMillis: 2000}\n"),
                Map.of("OPENKCM_KEYSTORE_BACKENDS_POSTGRES_POOL_SIZE", "3"),
                catalog)
            .get("org.openkcm.keystore.postgres");
    assertThat(pg)
        .containsEntry("connectTimeout", "2000ms")
        .containsEntry("poolSize", 3)
        .doesNotContainKey("connectTimeoutMillis");
    assertThatThrownBy(
            () ->
                ConfigTranslator.translate(
                    YamlConfigReader.read("backends:\n  postgres: {connectTimeout: quick}\n"),
                    Map.of(),
                    catalog))
        .isInstanceOf(InvalidConfigurationException.class)
        .satisfies(
            e ->
                assertThat(((InvalidConfigurationException) e).field())
                    .hasValue("backends.postgres.connectTimeout"));
  }

  /** The shipped config.yaml, every line uncommented: what an operator starts from. */
  private static String shippedUncommented() throws Exception {
    String text =
        java.nio.file.Files.readString(
            java.nio.file.Path.of("..", "distribution/src/main/runtime/conf/config.yaml"));
    String uncommented =
        String.join(
            "\n", text.lines().filter(l -> l.startsWith("# ")).map(l -> l.substring(2)).toList());
    return uncommented.substring(uncommented.indexOf("routing:"));
  }

  @Test
  void theShippedConfigYamlUncommentedIsValidAgainstTheMetatypeAndAnEarlierOneStillWorks()
      throws Exception {
    String shipped = shippedUncommented();
    Map<String, Map<String, Object>> now =
        ConfigTranslator.translate(
            YamlConfigReader.read(shipped), Map.of(), FieldCatalog.NONE, InstalledSections.all());
    assertThat(now.get(CacheConfig.PID))
        .containsEntry("l3.ttl", "30m")
        .containsEntry("l4.idle", "1m")
        .containsEntry("revalidateAfter", "5s");
    // the same file as users wrote it before duration strings: same settings
    String earlier =
        shipped
            .replace("ttl: 30m, idle: 5m", "ttlSeconds: 1800, idleSeconds: 300")
            .replace("ttl: 5m, idle: 1m", "ttlSeconds: 300, idleSeconds: 60")
            .replace("revalidateAfter: 5s", "revalidateAfterMillis: 5000");
    assertThat(earlier).contains("ttlSeconds: 1800").contains("revalidateAfterMillis: 5000");
    Map<String, Object> cache =
        ConfigTranslator.translate(
                YamlConfigReader.read(earlier),
                Map.of(),
                FieldCatalog.NONE,
                InstalledSections.all())
            .get(CacheConfig.PID);
    CacheSettings a = CacheSettings.from(ComponentConfigs.of(CacheConfig.class, cache));
    CacheSettings b =
        CacheSettings.from(ComponentConfigs.of(CacheConfig.class, now.get(CacheConfig.PID)));
    assertThat(a).isEqualTo(b);
    assertThat(a.policy(KeyTier.L3).ttl()).isEqualTo(Duration.ofMinutes(30));
  }
}
