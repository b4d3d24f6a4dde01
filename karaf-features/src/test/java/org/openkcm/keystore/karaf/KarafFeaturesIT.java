package org.openkcm.keystore.karaf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openkcm.keystore.openbao.testing.OpenBaoServer;
import org.openkcm.keystore.pkcs11.testing.SoftHsm;

/**
 * The features repository in a real Apache Karaf 4.4.10: added by its mvn: URL, every selected
 * feature installed (a feature that does not resolve fails here), every bundle Active, the example
 * .cfg files in etc/ and in ConfigAdmin, keys of each tier through the {@code keystore:*} shell
 * commands, the InMemory feature uninstalled and reinstalled under a running core, and a clean
 * stop. One Karaf for the class (starting one costs ~10 s), so the steps run in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KarafFeaturesIT {
  private static final String CORE = "openkcm-keystore-core";
  private static final String INMEMORY = "openkcm-keystore-inmemory";

  private static final String WEBCONSOLE = "openkcm-keystore-webconsole";
  private static final String GRPC = "openkcm-keystore-grpc";
  private static final String CONSOLE_USER = "karaf-it";

  /**
   * Steps that create and open keys (the crypto core's KeyService);
   * -Dkaraf.it.excludedGroups=key-service leaves them out.
   */
  private static final String NEEDS_KEY_SERVICE = "key-service";

  private static final String EXAMPLE_ADDRESS = "address = \"http://127.0.0.1:8200\"";

  private final String consolePassword = UUID.randomUUID().toString();
  private final Duration timeout = BuildUnderTest.timeout();
  private List<String> features;
  private List<String> coreBefore;
  private KarafInstance karaf;
  private KarafShell shell;
  private OpenBaoServer bao;
  private SoftHsm hsm;

  @BeforeAll
  void startKarafAndAddTheRepository() throws IOException {
    features = BuildUnderTest.selectedFeatures();
    StagingRepository staging = BuildUnderTest.stage(BuildUnderTest.workDir().resolve("staging"));
    karaf =
        KarafInstance.unpack(
            BuildUnderTest.distribution(),
            BuildUnderTest.workDir(),
            BuildUnderTest.localRepository(),
            staging.root(),
            timeout);
    // the Web Console plugin refuses to serve (it stops the console bundle) without a console login
    // from the environment
    // a real SoftHSM2 token for the PKCS#11 root key step; SoftHSM2 reads SOFTHSM2_CONF from
    // Karaf's environment
    Path hsmConf = BuildUnderTest.workDir().resolve("softhsm2/softhsm2.conf");
    try {
      hsm = SoftHsm.create("ks-karaf", hsmConf);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    // OpenBao's token reaches the backend only through Karaf's environment, never through a .cfg
    // (see step 5)
    bao = OpenBaoServer.startDev();
    karaf.start(
        Map.of(
            "OPENKCM_CONSOLE_USER",
            CONSOLE_USER,
            "OPENKCM_CONSOLE_PASSWORD",
            consolePassword,
            "SOFTHSM2_CONF",
            hsmConf.toString(),
            "OPENKCM_KARAF_IT_HSM_PIN",
            SoftHsm.PIN,
            "BAO_TOKEN",
            bao.rootToken()));
    shell = new KarafShell(karaf);
    ShellResult added =
        karaf.shell("feature:repo-add " + BuildUnderTest.featuresRepositoryUrl(staging));
    assertThat(added.succeeded()).as(added.toString()).isTrue();
  }

  @AfterAll
  void killWhatIsStillRunning() {
    if (karaf != null) {
      karaf.close();
    }
    if (bao != null) {
      bao.close();
    }
  }

  @Test
  @Order(1)
  void everySelectedFeatureResolvesAndEveryBundleIsActive() throws IOException {
    assertThat(features).as("features selected by karaf.it.features").contains(CORE, INMEMORY);
    for (String feature : features) {
      ShellResult installed = karaf.shell("feature:install " + feature);
      assertThat(installed.succeeded())
          .as("feature %s must resolve and install: %s", feature, installed)
          .isTrue();
    }
    List<List<String>> installedFeatures = shell.table("feature:list -i");
    for (String feature : features) {
      assertThat(installedFeatures)
          .as("feature %s is started", feature)
          .anySatisfy(row -> assertThat(row).startsWith(feature).contains("Started"));
    }
    List<List<String>> bundles = shell.table("bundle:list -t 0");
    assertThat(bundles)
        .as("every bundle Active (fragments Resolved)")
        .allSatisfy(
            row ->
                assertThat(KarafShell.isActiveOrFragment(row))
                    .as(String.join(" | ", row))
                    .isTrue());
    assertThat(bundles)
        .extracting(row -> row.get(4))
        .as("our bundles")
        .contains(
            "OpenKCM Keystore :: API",
            "OpenKCM Keystore :: Core",
            "OpenKCM Keystore :: InMemory backend");
  }

  @Test
  @Order(2)
  void exampleCfgFilesLandInEtcAndReachTheComponents() throws IOException {
    Path etc = karaf.home().resolve("etc");
    for (String pid : List.of("routing", "rootkey", "cache", "plugins", "inmemory")) {
      assertThat(etc.resolve("org.openkcm.keystore." + pid + ".cfg"))
          .as("etc file of PID %s", pid)
          .isRegularFile();
    }
    // OpenBao's file is only an example until saved as .cfg: no configuration, so no OpenBao
    // backend
    assertThat(etc.resolve("org.openkcm.keystore.openbao.cfg.example")).isRegularFile();
    assertThat(etc.resolve("org.openkcm.keystore.openbao.cfg")).doesNotExist();
    assertThat(shell.keystoreServices()).doesNotContain("keystore.backend = openbao");
    // the same for PostgreSQL: its feature (with pgjdbc and HikariCP) is installed, its backend
    // waits for a .cfg
    assertThat(etc.resolve("org.openkcm.keystore.postgres.cfg.example")).isRegularFile();
    assertThat(etc.resolve("org.openkcm.keystore.postgres.cfg")).doesNotExist();
    assertThat(shell.keystoreServices()).doesNotContain("keystore.backend = postgres");
    // typed values survive: routing rules are a 2-element array, the master key file is
    // interpolated
    ShellResult routing = karaf.shell("config:property-list --pid org.openkcm.keystore.routing");
    assertThat(routing.output())
        .contains(
            "rules = [tier=L2,L3 -> openbao, tier=L4 -> inmemory]", "defaultBackend = inmemory");
    ShellResult rootKey = karaf.shell("config:property-list --pid org.openkcm.keystore.rootkey");
    assertThat(rootKey.output())
        .contains(
            "provider = local", "masterKeyFile = " + etc.resolve("openkcm-keystore-master.key"));
    // the InMemory component was configured from etc/, and an edit of the file reaches it at
    // runtime
    assertThat(shell.keystoreServices())
        .contains(
            "felix.fileinstall.filename = "
                + etc.resolve("org.openkcm.keystore.inmemory.cfg")
                    .toUri()
                    .toString()
                    .replace("file:///", "file:/"),
            "maxEntries = 1000000");
    replaceInFile(
        etc.resolve("org.openkcm.keystore.inmemory.cfg"),
        "maxEntries = I\"1000000\"",
        "maxEntries = I\"250000\"");
    await("edited maxEntries reaches the InMemory service")
        .atMost(timeout)
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> shell.keystoreServices().contains("maxEntries = 250000"));
  }

  @Test
  @Order(3)
  void withoutOpenBaoEveryTierIsRoutedToInMemory() throws IOException {
    assertThat(shell.keystore("routes").output())
        .as("Karaf defaults without an OpenBao address")
        .containsPattern("tier=L2,L3\\s+-> inmemory")
        .containsPattern("tier=L4\\s+-> inmemory");
    await("InMemory backend present and UP")
        .atMost(timeout)
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                shell
                    .keystore("check inmemory")
                    .output()
                    .matches("(?s).*\\ninmemory\\s+yes\\s+yes\\s+UP\\s.*"));
  }

  @Test
  @Order(4)
  @Tag(NEEDS_KEY_SERVICE)
  void keysOfEveryTierAreStoredAndRetrievedThroughTheShell() throws IOException {
    shell.createKey("L2 tenant:karaf-it id=karaf-l2");
    shell.createKey("L3 tenant:karaf-it id=karaf-l3 parent=karaf-l2");
    shell.createKey("L4 service:karaf-edge id=karaf-l4 parent=karaf-l3");
    shell.assertOpens("karaf-l2", "L2", "(root key)", "inmemory");
    shell.assertOpens("karaf-l3", "L3", "karaf-l2@1", "inmemory");
    shell.assertOpens("karaf-l4", "L4", "karaf-l3@1", "inmemory");
    assertThat(shell.keystore("get karaf-never-created").output()).contains("error: KeyNotFound");
    // the local root key went where etc/org.openkcm.keystore.rootkey.cfg says, readable by the
    // owner only
    Path masterKey = karaf.home().resolve("etc/openkcm-keystore-master.key");
    assertThat(masterKey).isRegularFile();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(masterKey)))
        .isEqualTo("rw-------");
  }

  @Test
  @Order(5)
  void openBaoConfiguredFromItsExampleTakesOverL2AndL3() throws IOException {
    // what an operator does: save the example as .cfg with the address; the token stays in Karaf's
    // environment
    Path etc = karaf.home().resolve("etc");
    String example =
        Files.readString(
            etc.resolve("org.openkcm.keystore.openbao.cfg.example"), StandardCharsets.ISO_8859_1);
    assertThat(example).contains(EXAMPLE_ADDRESS).doesNotContainPattern("(?m)^\\s*token\\s*=");
    Files.writeString(
        etc.resolve("org.openkcm.keystore.openbao.cfg"),
        example.replace(EXAMPLE_ADDRESS, "address = \"" + bao.address() + "\""),
        StandardCharsets.ISO_8859_1);
    await("routing follows the OpenBao configuration")
        .atMost(timeout)
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> shell.keystore("routes").output().matches("(?s).*tier=L2,L3\\s+-> openbao.*"));
    await("OpenBao backend present and UP")
        .atMost(timeout)
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                shell
                    .keystore("check openbao")
                    .output()
                    .matches("(?s).*\\nopenbao\\s+yes\\s+yes\\s+UP\\s.*"));
    assertThat(shell.keystore("routes").output()).containsPattern("tier=L4\\s+-> inmemory");
    assertThat(filesHolding(karaf.home(), bao.rootToken()))
        .as("files under Karaf (etc/, data/ incl. ConfigAdmin's store, logs) holding the token")
        .isEmpty();
  }

  /**
   * @return the files below {@code dir} (up to 64 MiB each) whose bytes contain {@code secret}
   */
  private static List<Path> filesHolding(Path dir, String secret) throws IOException {
    byte[] needle = secret.getBytes(StandardCharsets.UTF_8);
    try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(Files::isRegularFile)
          .filter(
              f -> {
                try {
                  return Files.size(f) < 64L << 20 && indexOf(Files.readAllBytes(f), needle) >= 0;
                } catch (IOException e) {
                  return false; // vanished while walking (Karaf rotates and deletes cache files)
                }
              })
          .toList();
    }
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Test
  @Order(6)
  @Tag(NEEDS_KEY_SERVICE)
  void withOpenBaoL2AndL3KeysAreStoredThereAndL4StaysInMemory() throws IOException {
    shell.createKey("L2 tenant:karaf-it id=karaf-bao-l2");
    shell.createKey("L3 tenant:karaf-it id=karaf-bao-l3 parent=karaf-bao-l2");
    shell.createKey("L4 service:karaf-edge id=karaf-bao-l4 parent=karaf-bao-l3");
    shell.assertOpens("karaf-bao-l2", "L2", "(root key)", "openbao");
    shell.assertOpens("karaf-bao-l3", "L3", "karaf-bao-l2@1", "openbao");
    shell.assertOpens("karaf-bao-l4", "L4", "karaf-bao-l3@1", "inmemory");
    // what OpenBao holds: the sealed L2 record under the backend's prefix, with its metadata
    String stored =
        bao.cliOk(
            "kv", "get", "-format=json", "-mount=secret", "openkcm/keys/karaf-bao-l2,0000000001");
    assertThat(stored).contains("\"sealed\"", "\"tier\": \"L2\"");
  }

  @Test
  @Order(7)
  void inMemoryFeatureUninstalledUnderARunningCore() throws IOException {
    coreBefore = shell.bundle("OpenKCM Keystore :: Core").orElseThrow();
    assertThat(shell.keystoreServices()).contains("keystore.backend = inmemory");

    ShellResult uninstalled = karaf.shell("feature:uninstall " + INMEMORY);
    assertThat(uninstalled.succeeded()).as(uninstalled.toString()).isTrue();
    assertThat(shell.bundle("OpenKCM Keystore :: InMemory backend"))
        .as("InMemory bundle uninstalled")
        .isEmpty();
    assertThat(shell.keystoreServices()).doesNotContain("keystore.backend = inmemory");
    assertThat(shell.bundle("OpenKCM Keystore :: Core"))
        .as("core: same bundle, still Active")
        .contains(coreBefore);
    // the core notices: InMemory configured but not present; OpenBao unaffected
    assertThat(shell.keystore("backends").output())
        .containsPattern("(?m)^inmemory\\s+yes\\s+no\\s");
    assertThat(shell.keystore("check openbao").output())
        .containsPattern("(?m)^openbao\\s+yes\\s+yes\\s+UP\\s");
  }

  @Test
  @Order(8)
  @Tag(NEEDS_KEY_SERVICE)
  void whileInMemoryIsAwayTheCoreAnswersWithATypedErrorAndServesOpenBaoKeys() throws IOException {
    ShellResult refused =
        shell.keystore("create L4 service:karaf-edge id=karaf-l4-away parent=karaf-l3");
    assertThat(refused.output())
        .as(refused.toString())
        .contains("error: BackendUnavailable")
        .contains("'inmemory'");
    ShellResult opened = shell.keystore("get karaf-bao-l3");
    assertThat(opened.succeeded()).as(opened.toString()).isTrue();
    assertThat(KarafShell.field(opened, "roundtrip")).startsWith("ok (");
  }

  @Test
  @Order(9)
  void inMemoryFeatureReinstalledAndItsServiceReturns() throws IOException {
    ShellResult reinstalled = karaf.shell("feature:install " + INMEMORY);
    assertThat(reinstalled.succeeded()).as(reinstalled.toString()).isTrue();
    await("InMemory Keystore service back")
        .atMost(timeout)
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> shell.keystoreServices().contains("keystore.backend = inmemory"));
    assertThat(shell.bundle("OpenKCM Keystore :: InMemory backend"))
        .hasValueSatisfying(row -> assertThat(row.get(1)).isEqualTo("Active"));
    assertThat(shell.bundle("OpenKCM Keystore :: Core"))
        .as("core never restarted or refreshed")
        .contains(coreBefore);
    assertThat(shell.table("bundle:list -t 0"))
        .allSatisfy(
            row ->
                assertThat(KarafShell.isActiveOrFragment(row))
                    .as(String.join(" | ", row))
                    .isTrue());
    await("the core sees InMemory again")
        .atMost(timeout)
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                shell
                    .keystore("check inmemory")
                    .output()
                    .matches("(?s).*\\ninmemory\\s+yes\\s+yes\\s+UP\\s.*"));
  }

  @Test
  @Order(10)
  @Tag(NEEDS_KEY_SERVICE)
  void afterTheReinstallTheCoreServesNewKeysAndTheVolatileOnesAreGone() throws IOException {
    // what the backend holds: the new InMemory instance starts empty (the core's cache may still
    // serve
    // karaf-l4 through get until its TTL, which is the documented staleness bound, so show asks the
    // backend)
    assertThat(shell.keystore("show karaf-l4").output())
        .as("InMemory is volatile")
        .contains("error: KeyNotFound");
    shell.createKey("L4 service:karaf-edge id=karaf-l4-again parent=karaf-bao-l3");
    shell.assertOpens("karaf-l4-again", "L4", "karaf-bao-l3@1", "inmemory");
  }

  @Test
  @Order(11)
  void webConsoleServesTheKeystorePageOnlyToItsLoginWhenItsFeatureIsInstalled()
      throws IOException, InterruptedException {
    URI page = URI.create("http://127.0.0.1:" + karaf.ports().http() + "/system/console/keystore");
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest anonymous = HttpRequest.newBuilder(page).timeout(Duration.ofSeconds(30)).build();
    if (!features.contains(WEBCONSOLE)) {
      // without the feature nothing listens on the HTTP port (Karaf's own HTTP is not installed
      // either)
      assertThatThrownBy(() -> http.send(anonymous, BodyHandlers.discarding()))
          .isInstanceOf(ConnectException.class);
      return;
    }
    assertThat(http.send(anonymous, BodyHandlers.discarding()).statusCode())
        .as("no login")
        .isEqualTo(401);
    String login =
        Base64.getEncoder()
            .encodeToString(
                (CONSOLE_USER + ":" + consolePassword).getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> shown =
        http.send(
            HttpRequest.newBuilder(page)
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Basic " + login)
                .build(),
            BodyHandlers.ofString());
    assertThat(shown.statusCode()).as("with the login from the environment").isEqualTo(200);
    assertThat(shown.body()).contains("Backends", "inmemory");
    if (features.contains("openkcm-keystore-metrics")) {
      // the Felix Health Checks resolve and run on Karaf too: the probes answer without a login
      URI live = URI.create("http://127.0.0.1:" + karaf.ports().http() + "/health/live");
      HttpResponse<String> probe =
          http.send(
              HttpRequest.newBuilder(live).timeout(Duration.ofSeconds(30)).build(),
              BodyHandlers.ofString());
      assertThat(probe.statusCode()).as(probe.body()).isEqualTo(200);
      assertThat(probe.body()).contains("\"name\":\"runtime\",\"ok\":true");
      URI ready = URI.create("http://127.0.0.1:" + karaf.ports().http() + "/health/ready");
      await("readiness lists the backend checks")
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  http.send(
                          HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(30)).build(),
                          BodyHandlers.ofString())
                      .body()
                      .contains("\"name\":\"backend:inmemory\""));
    }
  }

  @Test
  @Order(12)
  @Tag(NEEDS_KEY_SERVICE)
  void theRootKeyMovesIntoASoftHsmTokenAndKeysWrappedBeforeStillOpen() throws IOException {
    shell.createKey("L2 tenant:karaf-p11 id=karaf-before-hsm");
    String backend = KarafShell.field(shell.keystore("show karaf-before-hsm"), "backend");
    Path etc = karaf.home().resolve("etc");
    assertThat(etc.resolve("org.openkcm.keystore.pkcs11.cfg.example")).isRegularFile();
    // what an operator does: the provider's .cfg (no PIN in it), then the core's provider switch
    Files.writeString(
        etc.resolve("org.openkcm.keystore.pkcs11.cfg"),
        "library = \""
            + hsm.library
            + "\"\nslot = L\""
            + hsm.slot
            + "\"\nkeyLabel = \"karaf-root\"\ncreateKey = B\"true\"\npinEnv = \"OPENKCM_KARAF_IT_HSM_PIN\"\npreviousProvider = \"local\"\n",
        StandardCharsets.ISO_8859_1);
    await("pkcs11 provider with its key in the token")
        .atMost(timeout)
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                shell
                    .keystore("rootkey status")
                    .output()
                    .contains("* karaf-root  sensitive, non-extractable"));
    replaceInFile(
        etc.resolve("org.openkcm.keystore.rootkey.cfg"),
        "provider = \"local\"",
        "provider = \"pkcs11\"");
    await("core uses the pkcs11 root key")
        .atMost(timeout)
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                karaf
                    .shell("config:property-list --pid org.openkcm.keystore.rootkey")
                    .output()
                    .contains("provider = pkcs11"));
    shell.createKey("L2 tenant:karaf-p11 id=karaf-in-hsm");
    shell.createKey("L3 tenant:karaf-p11 id=karaf-in-hsm-l3 parent=karaf-in-hsm");
    shell.assertOpens("karaf-in-hsm", "L2", "(root key)", backend);
    shell.assertOpens("karaf-in-hsm-l3", "L3", "karaf-in-hsm@1", backend);
    shell.assertOpens("karaf-before-hsm", "L2", "(root key)", backend);
    assertThat(shell.keystore("rootkey rotate").output()).contains("'karaf-root-v2' is current");
    shell.createKey("L2 tenant:karaf-p11 id=karaf-after-rotation");
    shell.assertOpens("karaf-after-rotation", "L2", "(root key)", backend);
    // online, every L2 moves onto the current token key (OpenBao's conditional write), every
    // record's state onto the token's state key; then nothing is left and everything still opens
    String rewrap = shell.keystore("rewrap").output();
    assertThat(rewrap).contains("not moved: 0");
    assertThat(Integer.parseInt(rewrap.replaceAll("(?s).*rewrapped: (\\d+) L2 records.*", "$1")))
        .as(rewrap)
        .isGreaterThanOrEqualTo(2);
    assertThat(shell.keystore("rewrap --dry-run").output())
        .contains("rewrapped: would be 0 L2 records")
        .contains("re-authenticated: would be 0 records");
    shell.assertOpens("karaf-before-hsm", "L2", "(root key)", backend);
    shell.assertOpens("karaf-in-hsm-l3", "L3", "karaf-in-hsm@1", backend);
    assertThat(karaf.shell("config:property-list --pid org.openkcm.keystore.pkcs11").output())
        .doesNotContain(SoftHsm.PIN);
  }

  @Test
  @Order(13)
  void grpcFeatureServesTls13OnceConfiguredAndLeavesNoPortWhenUninstalled()
      throws IOException, InterruptedException {
    if (!features.contains(GRPC)) {
      throw new AssertionError(
          "karaf.it.features does not select " + GRPC + ": this step must not pass by skipping");
    }
    Path certs = BuildUnderTest.workDir().resolve("grpc-certs");
    Path script =
        Path.of(System.getProperty("karaf.it.cfgDir"))
            .resolve("../../../../distribution/src/main/runtime/bin/make-dev-certs")
            .normalize();
    Process made =
        new ProcessBuilder("bash", script.toString(), certs.toString(), "app")
            .redirectErrorStream(true)
            .start();
    assertThat(made.waitFor())
        .as(new String(made.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
        .isZero();
    int port;
    try (java.net.ServerSocket free =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    Files.writeString(
        karaf.home().resolve("etc").resolve("org.openkcm.keystore.grpc.cfg"),
        String.join(
            "\n",
            "host = \"127.0.0.1\"",
            "port = I\"" + port + "\"",
            "certFile = \"" + certs.resolve("server.pem") + "\"",
            "keyFile = \"" + certs.resolve("server-key.pem") + "\"",
            "clientCaFile = \"" + certs.resolve("ca.pem") + "\"",
            "clients = [\"identity=spiffe://openkcm.dev/app; owners=tenant:karaf; ops=KeyService/*\"]",
            ""),
        StandardCharsets.ISO_8859_1);
    await("gRPC listening on " + port)
        .atMost(timeout)
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> listening(port));

    // a TLS 1.3 handshake with the client certificate succeeds and negotiates h2 (openssl as an
    // independent client)
    Process tls =
        new ProcessBuilder(
                "openssl",
                "s_client",
                "-connect",
                "127.0.0.1:" + port,
                "-tls1_3",
                "-alpn",
                "h2",
                "-CAfile",
                certs.resolve("ca.pem").toString(),
                "-cert",
                certs.resolve("app.pem").toString(),
                "-key",
                certs.resolve("app-key.pem").toString(),
                "-verify_return_error")
            .redirectErrorStream(true)
            .start();
    tls.getOutputStream().close();
    String out = new String(tls.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(tls.waitFor()).as(out).isZero();
    assertThat(out).contains("TLSv1.3", "ALPN protocol: h2", "Verify return code: 0 (ok)");

    ShellResult removed = karaf.shell("feature:uninstall " + GRPC);
    assertThat(removed.succeeded()).as(removed.toString()).isTrue();
    await("port closed after the feature is uninstalled")
        .atMost(timeout)
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> !listening(port));
  }

  private static boolean listening(int port) {
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  @Order(99)
  void karafStopsCleanly() throws IOException, InterruptedException {
    assertThat(karaf.isRunning()).isTrue();
    assertThat(karaf.stop()).as("Karaf's exit status after bin/stop").isZero();
    assertThat(karaf.isRunning()).isFalse();
  }

  private static void replaceInFile(Path file, String from, String to) throws IOException {
    String text = Files.readString(file, StandardCharsets.ISO_8859_1);
    assertThat(text).contains(from);
    Files.writeString(file, text.replace(from, to), StandardCharsets.ISO_8859_1);
  }
}
