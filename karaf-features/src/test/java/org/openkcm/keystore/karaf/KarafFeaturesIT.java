package org.openkcm.keystore.karaf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The features repository in a real Apache Karaf 4.4.10: added by its mvn: URL, every selected feature
 * installed (a feature that does not resolve fails here), every bundle Active, the example .cfg files in
 * etc/ and in ConfigAdmin, keys of each tier through the {@code keystore:*} shell commands, the InMemory
 * feature uninstalled and reinstalled under a running core, and a clean stop. One Karaf for the class
 * (starting one costs ~10 s), so the steps run in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KarafFeaturesIT {
    private static final String CORE = "openkcm-keystore-core";
    private static final String INMEMORY = "openkcm-keystore-inmemory";
    private static final String KEYSTORE_SERVICE = "org.openkcm.keystore.spi.Keystore";

    private final Duration timeout = Duration.ofSeconds(Long.getLong("karaf.it.timeout.seconds", 180));
    private List<String> features;
    private KarafInstance karaf;

    @BeforeAll
    void startKarafAndAddTheRepository() throws IOException {
        Path workDir = Path.of(required("karaf.it.workdir"));
        StagingRepository staging = stageThisBuild(workDir.resolve("staging"));
        features = selectedFeatures(Path.of(required("karaf.it.featuresFile")), required("karaf.it.features"));
        karaf = KarafInstance.unpack(Path.of(required("karaf.it.distribution")), workDir, Path.of(required("karaf.it.localRepository")),
                staging.root(), timeout);
        karaf.start();
        String repo = staging.mvnUrl(required("karaf.it.featuresArtifactId"), "features", "xml");
        ShellResult added = karaf.shell("feature:repo-add " + repo);
        assertThat(added.succeeded()).as(added.toString()).isTrue();
    }

    @AfterAll
    void killKarafIfStillRunning() {
        if (karaf != null) {
            karaf.close();
        }
    }

    @Test
    @Order(1)
    void everySelectedFeatureResolvesAndEveryBundleIsActive() throws IOException {
        assertThat(features).as("features selected by karaf.it.features").contains(CORE, INMEMORY);
        for (String feature : features) {
            ShellResult installed = karaf.shell("feature:install " + feature);
            assertThat(installed.succeeded()).as("feature %s must resolve and install: %s", feature, installed).isTrue();
        }
        List<List<String>> installedFeatures = table("feature:list -i");
        for (String feature : features) {
            assertThat(installedFeatures).as("feature %s is started", feature)
                    .anySatisfy(row -> assertThat(row).startsWith(feature).contains("Started"));
        }
        List<List<String>> bundles = table("bundle:list -t 0");
        assertThat(bundles).as("every bundle Active (fragments Resolved)").allSatisfy(row -> assertThat(isActiveOrFragment(row))
                .as(String.join(" | ", row)).isTrue());
        assertThat(bundles).extracting(row -> row.get(4)).as("our bundles")
                .contains("OpenKCM Keystore :: API", "OpenKCM Keystore :: Core", "OpenKCM Keystore :: InMemory backend");
    }

    @Test
    @Order(2)
    void exampleCfgFilesLandInEtcAndReachTheComponents() throws IOException {
        Path etc = karaf.home().resolve("etc");
        for (String pid : List.of("routing", "rootkey", "cache", "plugins", "inmemory")) {
            assertThat(etc.resolve("org.openkcm.keystore." + pid + ".cfg")).as("etc file of PID %s", pid).isRegularFile();
        }
        // typed values survive: routing rules are a 2-element array, the master key file is interpolated
        ShellResult routing = karaf.shell("config:property-list --pid org.openkcm.keystore.routing");
        assertThat(routing.output()).contains("rules = [tier=L2,L3 -> openbao, tier=L4 -> inmemory]", "defaultBackend = inmemory");
        ShellResult rootKey = karaf.shell("config:property-list --pid org.openkcm.keystore.rootkey");
        assertThat(rootKey.output()).contains("provider = local", "masterKeyFile = " + etc.resolve("openkcm-keystore-master.key"));
        // the InMemory component was configured from etc/, and an edit of the file reaches it at runtime
        assertThat(keystoreServices()).contains("felix.fileinstall.filename = " + etc.resolve("org.openkcm.keystore.inmemory.cfg").toUri().toString()
                .replace("file:///", "file:/"), "maxEntries = 1000000");
        replaceInFile(etc.resolve("org.openkcm.keystore.inmemory.cfg"), "maxEntries = I\"1000000\"", "maxEntries = I\"250000\"");
        await("edited maxEntries reaches the InMemory service").atMost(timeout).pollInterval(Duration.ofSeconds(1))
                .until(() -> keystoreServices().contains("maxEntries = 250000"));
    }

    @Test
    @Order(3)
    @Tag("keystore-commands")
    void keysOfEveryTierAreStoredAndRetrievedThroughTheShell() throws IOException {
        ShellResult l2 = karaf.shell("keystore:create L2 tenant:karaf-it id=karaf-l2");
        assertThat(l2.succeeded()).as(l2.toString()).isTrue();
        ShellResult l3 = karaf.shell("keystore:create L3 tenant:karaf-it id=karaf-l3 parent=karaf-l2");
        assertThat(l3.succeeded()).as(l3.toString()).isTrue();
        ShellResult l4 = karaf.shell("keystore:create L4 service:karaf-edge id=karaf-l4 parent=karaf-l3");
        assertThat(l4.succeeded()).as(l4.toString()).isTrue();
        for (String[] key : new String[][] { { "karaf-l2", "L2", "(root key)" }, { "karaf-l3", "L3", "karaf-l2@1" }, { "karaf-l4", "L4", "karaf-l3@1" } }) {
            ShellResult opened = karaf.shell("keystore:get " + key[0]);
            assertThat(opened.succeeded()).as(opened.toString()).isTrue();
            assertThat(field(opened, "key")).isEqualTo(key[0] + "@1");
            assertThat(field(opened, "tier")).isEqualTo(key[1]);
            assertThat(field(opened, "parent")).isEqualTo(key[2]);
            assertThat(field(opened, "kcv")).matches("[0-9a-f]{6}");
            assertThat(field(opened, "roundtrip")).startsWith("ok (");
            // Karaf defaults without an OpenBao address: every tier on inmemory
            assertThat(field(karaf.shell("keystore:show " + key[0]), "backend")).isEqualTo("inmemory");
        }
        ShellResult missing = karaf.shell("keystore:get karaf-never-created");
        assertThat(missing.output()).contains("error: KeyNotFound");
    }

    @Test
    @Order(4)
    void inMemoryFeatureLeavesAndReturnsWhileTheCoreKeepsRunning() throws IOException {
        List<String> coreBefore = bundle("OpenKCM Keystore :: Core").orElseThrow();
        assertThat(keystoreServices()).contains("keystore.backend = inmemory");

        ShellResult uninstalled = karaf.shell("feature:uninstall " + INMEMORY);
        assertThat(uninstalled.succeeded()).as(uninstalled.toString()).isTrue();
        assertThat(bundle("OpenKCM Keystore :: InMemory backend")).as("InMemory bundle uninstalled").isEmpty();
        assertThat(keystoreServices()).doesNotContain("keystore.backend = inmemory");
        assertThat(bundle("OpenKCM Keystore :: Core")).as("core: same bundle, still Active").contains(coreBefore);

        ShellResult reinstalled = karaf.shell("feature:install " + INMEMORY);
        assertThat(reinstalled.succeeded()).as(reinstalled.toString()).isTrue();
        await("InMemory Keystore service back").atMost(timeout).pollInterval(Duration.ofSeconds(1))
                .until(() -> keystoreServices().contains("keystore.backend = inmemory"));
        assertThat(bundle("OpenKCM Keystore :: InMemory backend")).hasValueSatisfying(row -> assertThat(row.get(1)).isEqualTo("Active"));
        assertThat(bundle("OpenKCM Keystore :: Core")).as("core never restarted or refreshed").contains(coreBefore);
        assertThat(table("bundle:list -t 0")).allSatisfy(row -> assertThat(isActiveOrFragment(row)).as(String.join(" | ", row)).isTrue());
    }

    @Test
    @Order(99)
    void karafStopsCleanly() throws IOException, InterruptedException {
        assertThat(karaf.isRunning()).isTrue();
        assertThat(karaf.stop()).as("Karaf's exit status after bin/stop").isZero();
        assertThat(karaf.isRunning()).isFalse();
    }

    private List<List<String>> table(String command) throws IOException {
        ShellResult r = karaf.shell(command);
        assertThat(r.succeeded()).as(r.toString()).isTrue();
        return KarafTables.rows(r.output());
    }

    /** @return the {@code bundle:list} row (id, state, level, version, name) of the bundle with that name */
    private Optional<List<String>> bundle(String name) throws IOException {
        return table("bundle:list -t 0").stream().filter(row -> row.get(4).equals(name)).findFirst();
    }

    private String keystoreServices() throws IOException {
        // no such service is not an error for service:list: it prints nothing
        ShellResult r = karaf.shell("service:list " + KEYSTORE_SERVICE);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        return r.output();
    }

    private static boolean isActiveOrFragment(List<String> row) {
        return row.get(1).equals("Active") || row.get(1).equals("Resolved") && row.get(4).contains("Hosts:");
    }

    /** The value of a {@code name:   value} line of a keystore command's output. */
    private static String field(ShellResult r, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + ":\\s+(.*)$").matcher(r.output());
        assertThat(m.find()).as("'%s:' line in %s", name, r).isTrue();
        return m.group(1).strip();
    }

    private static void replaceInFile(Path file, String from, String to) throws IOException {
        String text = Files.readString(file, StandardCharsets.ISO_8859_1);
        assertThat(text).contains(from);
        Files.writeString(file, text.replace(from, to), StandardCharsets.ISO_8859_1);
    }

    /** Our bundles, the features XML and the .cfg files of this build, where Karaf's mvn: URLs find them. */
    private static StagingRepository stageThisBuild(Path root) throws IOException {
        StagingRepository staging = new StagingRepository(root, required("karaf.it.groupId"), required("karaf.it.version"));
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith("karaf.it.bundle.")) {
                staging.put(key.substring("karaf.it.bundle.".length()), null, "jar", Path.of(System.getProperty(key)));
            }
        }
        String features = required("karaf.it.featuresArtifactId");
        staging.put(features, "features", "xml", Path.of(required("karaf.it.featuresFile")));
        try (Stream<Path> cfgs = Files.list(Path.of(required("karaf.it.cfgDir")))) {
            for (Path cfg : cfgs.filter(p -> p.toString().endsWith(".cfg")).toList()) {
                staging.put(features, cfg.getFileName().toString().replace(".cfg", ""), "cfg", cfg);
            }
        }
        return staging;
    }

    /** The features named in the repository that match the pattern the build's verify goal uses, in file order. */
    static List<String> selectedFeatures(Path featuresFile, String pattern) throws IOException {
        Pattern selected = Pattern.compile(pattern.replace(".", "\\.").replace("*", ".*"));
        Matcher m = Pattern.compile("<feature name=\"([^\"]+)\"").matcher(Files.readString(featuresFile, StandardCharsets.UTF_8));
        List<String> names = new ArrayList<>();
        while (m.find()) {
            if (selected.matcher(m.group(1)).matches()) {
                names.add(m.group(1));
            }
        }
        if (names.isEmpty()) {
            throw new IllegalStateException("karaf.it.features='" + pattern + "' selects no feature of " + featuresFile);
        }
        return names;
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank() || value.startsWith("${")) {
            throw new IllegalStateException("system property " + property + " is not set (run through Maven failsafe): " + value);
        }
        return value;
    }
}
