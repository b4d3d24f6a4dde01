package org.openkcm.keystore.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * End to end, as a user: the built runtime started with the README's command ({@code ./run.sh}, on
 * a private copy of distribution/target/runtime with real console credentials and a free port),
 * checked through HTTP and a real headless Chromium, hot-deployed into, and stopped with a signal
 * like Ctrl-C.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RuntimeEndToEndIT {
  static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  static final String USER = "e2e-operator";
  static final String PAGE = "/system/console/keystore";

  private final String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
  private final Path target =
      Paths.get(System.getProperty("e2e.target", "target")).toAbsolutePath();
  private final Path workDir = target.resolve("e2e");
  private RuntimeProcess runtime;
  private ConsoleClient console;
  private long consoleReadyMillis;

  @BeforeAll
  void startRuntime() throws IOException {
    Path repo = Paths.get(System.getProperty("e2e.repo", "..")).toAbsolutePath().normalize();
    Path built = Paths.get(System.getProperty("e2e.runtime", "target/runtime")).toAbsolutePath();
    assertThat(built.resolve("bin/felix.jar"))
        .as("the runtime built by this module's package phase")
        .exists();
    deleteTree(workDir);
    Files.createDirectories(workDir);
    runtime =
        new RuntimeProcess(
            repo,
            built,
            workDir,
            Map.of("OPENKCM_CONSOLE_USER", USER, "OPENKCM_CONSOLE_PASSWORD", password));
    console = new ConsoleClient(runtime.port);
    await("console ready")
        .atMost(START_TIMEOUT)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> !runtime.alive() || console.status(PAGE, USER, password) == 200);
    assertThat(runtime.alive()).as("runtime running; output:\n" + runtime.output()).isTrue();
    consoleReadyMillis = (System.nanoTime() - runtime.startedNanos) / 1_000_000;
    Files.writeString(
        workDir.resolve("figures.txt"),
        "run.sh -> console ready (HTTP 200 on " + PAGE + "): " + consoleReadyMillis + " ms\n",
        StandardCharsets.UTF_8);
  }

  @AfterAll
  void stopRuntime() throws Exception {
    if (runtime != null) {
      runtime.close();
    }
  }

  @Test
  @Order(1)
  void printsWhereTheConsoleIsAndWhatIsUp() {
    await("banner")
        .atMost(Duration.ofSeconds(30))
        .until(() -> runtime.output().contains("== OpenKCM Keystore =="));
    String out = runtime.output();
    assertThat(out).contains("Console:    http://127.0.0.1:" + runtime.port + PAGE);
    assertThat(out)
        .contains(
            "Hot deploy: " + runtime.runtimeDir.resolve("bundles") + "," + runtime.bundlesDir);
    await("inmemory reported")
        .atMost(Duration.ofSeconds(30))
        .until(() -> runtime.output().matches("(?s).*\\n\\s+inmemory UP.*"));
    assertThat(runtime.output()).contains("Routing (first match wins):");
    assertThat(out).doesNotContain(password);
  }

  @Test
  @Order(2)
  void gogoShellAnswersOnTheRuntimesStdin() {
    int mark = runtime.lineCount();
    runtime.shell("lb openkcm");
    await("lb output")
        .atMost(Duration.ofSeconds(20))
        .until(() -> runtime.outputSince(mark).contains("OpenKCM Keystore :: Web Console plugin"));
    assertThat(runtime.outputSince(mark))
        .contains("Active")
        .contains("OpenKCM Keystore :: InMemory backend")
        .as("shipped in runtime/bundles, installed by FileInstall")
        .contains("OpenKCM Keystore :: OpenBao backend");
    int mark2 = runtime.lineCount();
    runtime.shell("keystore:routes");
    await("keystore:routes")
        .atMost(Duration.ofSeconds(20))
        .until(() -> runtime.outputSince(mark2).contains("-> inmemory"));
  }

  @Test
  @Order(2)
  void consoleNeedsTheConfiguredLoginAndNeverAdminAdmin() {
    assertThat(console.status(PAGE, null, null)).isEqualTo(401);
    assertThat(console.status(PAGE, "admin", "admin")).isEqualTo(401);
    assertThat(console.status(PAGE, USER, password + "x")).isEqualTo(401);
    assertThat(console.status(PAGE, USER, password)).isEqualTo(200);
    assertThat(console.status("/system/console/bundles", USER, password)).isEqualTo(200);
  }

  @Test
  @Order(3)
  void actionsWithoutTheCsrfTokenAreRejected() throws Exception {
    String origin = "http://127.0.0.1:" + runtime.port;
    assertThat(
            console
                .post(PAGE, USER, password, "action=checkHealth&backend=inmemory", origin)
                .statusCode())
        .isEqualTo(403);
    assertThat(
            console
                .post(
                    PAGE, USER, password, "action=checkHealth&backend=inmemory&csrf=forged", origin)
                .statusCode())
        .isEqualTo(403);
    String page = console.get(PAGE, USER, password).body();
    String token = page.replaceAll("(?s).*name='csrf' value='([^']+)'.*", "$1");
    assertThat(token).as("token rendered in the forms").hasSizeGreaterThan(20).doesNotContain("<");
    assertThat(
            console
                .post(
                    PAGE,
                    USER,
                    password,
                    "action=checkHealth&backend=inmemory&csrf=" + token,
                    "http://evil.example")
                .statusCode())
        .as("cross-site origin")
        .isEqualTo(403);
    assertThat(
            console
                .post(
                    PAGE,
                    USER,
                    password,
                    "action=checkHealth&backend=inmemory&csrf=" + token,
                    origin)
                .statusCode())
        .as("same origin with the page's token but not the console request token")
        .isEqualTo(403);
    String requestToken = console.requestToken(PAGE, USER, password);
    assertThat(
            console
                .post(
                    PAGE,
                    USER,
                    password,
                    "action=checkHealth&backend=inmemory&csrf=" + token,
                    origin,
                    requestToken)
                .statusCode())
        .as("same origin with both tokens: redirect back to the page")
        .isEqualTo(302);
    var headers = console.get(PAGE, USER, password).headers();
    assertThat(headers.firstValue("X-Frame-Options")).hasValue("DENY");
    assertThat(headers.firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(headers.firstValue("Content-Security-Policy").orElse(""))
        .contains("frame-ancestors 'none'");
    assertThat(
            console
                .get("/system/console/bundles", USER, password)
                .headers()
                .firstValue("X-Frame-Options"))
        .as("Felix's own pages too")
        .hasValue("DENY");
  }

  @Test
  @Order(4)
  void keystorePageInChromium() throws Exception {
    try (Browser browser = new Browser(workDir.resolve("chromium-profile"))) {
      browser.driver.get("http://" + USER + ":" + password + "@127.0.0.1:" + runtime.port + PAGE);
      browser.waitForText("Backend services present", Duration.ofSeconds(30));
      KeystorePageSteps page = new KeystorePageSteps(browser);
      assertThat(page.row("service-table", "inmemory")).contains("UP");
      assertThat(page.statusLine())
          .contains("KeystoreAdmin: available")
          .contains("KeyService: available");
      assertThat(page.row("backend-table", "inmemory")).contains("UP");
      assertThat(page.text("route-table")).contains("inmemory");
      assertThat(page.recheck("inmemory")).startsWith("Health of inmemory: UP");
      assertThat(page.text("cache-table")).contains("Hit rate");
      createKeysThroughTheShell();
      searchFindsTheKeys(browser, page);
      markupTypedIntoTheFormStaysText(browser, page);
      page.search("tenant:e2e", "L2", "e2e-");
      browser.screenshot(target.resolve("e2e/keystore-page.png"));
      assertThat(target.resolve("e2e/keystore-page.png")).isNotEmptyFile();

      // metatype: the backends' (and, once merged, the core's) settings are on the configuration
      // page
      browser.driver.get("http://127.0.0.1:" + runtime.port + "/system/console/configMgr");
      browser.waitForText("OpenKCM Keystore - InMemory backend", Duration.ofSeconds(30));
      browser.waitForText("OpenKCM Keystore - OpenBao backend", Duration.ofSeconds(10));
      browser.waitForText("OpenKCM Keystore routing", Duration.ofSeconds(10));
      browser.screenshot(target.resolve("e2e/configuration-page.png"));
    }
  }

  private static void searchFindsTheKeys(Browser browser, KeystorePageSteps page) {
    page.search("tenant:e2e", "L2", "e2e-");
    browser.waitForText("key version(s) on this page", Duration.ofSeconds(10));
    assertThat(page.text("key-table")).contains("e2e-acme", "e2e-globex");
    assertThat(page.fieldValue("f-owner"))
        .as("the form keeps what was typed")
        .isEqualTo("tenant:e2e");
  }

  private static void markupTypedIntoTheFormStaysText(Browser browser, KeystorePageSteps page) {
    String markup = "\"><b id='injected'>x</b>";
    page.search("tenant:e2e", "", markup);
    browser.waitForText("Key metadata search", Duration.ofSeconds(10));
    assertThat(page.has("injected")).as("no markup injected").isFalse();
    assertThat(page.fieldValue("f-idPrefix")).isEqualTo(markup);
  }

  @Test
  @Order(5)
  void aCrossOriginPageCannotReconfigureInstallOrUninstallThroughALoggedInConsole()
      throws Exception {
    String base = "http://127.0.0.1:" + runtime.port;
    long openbaoBundle = bundleId("openkcm-keystore-openbao");
    try (AttackerSite site = new AttackerSite(base, openbaoBundle);
        Browser browser = new Browser(workDir.resolve("chromium-attack"))) {
      browser.driver.get(
          "http://"
              + USER
              + ":"
              + password
              + "@127.0.0.1:"
              + runtime.port
              + "/system/console/bundles");
      browser.waitForText("openkcm-keystore-openbao", Duration.ofSeconds(30));
      // another site (localhost) and the same site on another port (127.0.0.1): both are other
      // origins
      for (String host : new String[] {"localhost", "127.0.0.1"}) {
        for (String attack : new String[] {"install", "uninstall", "config"}) {
          browser.driver.get(site.pageUrl(host, attack));
          browser.waitForText("Refused: not same-origin", Duration.ofSeconds(30));
        }
      }
      assertThat(configJson("org.openkcm.keystore.openbao"))
          .doesNotContain(site.trapAddress())
          .doesNotContain("attacker");
      String bundles = console.get("/system/console/bundles.json", USER, password).body();
      assertThat(bundles).doesNotContain(AttackerSite.EVIL_BSN);
      assertThat(bundleId("openkcm-keystore-openbao"))
          .as("not uninstalled")
          .isEqualTo(openbaoBundle);
      assertThat(site.requests)
          .as("the runtime never called the attacker's address")
          .noneMatch(r -> r.contains("/v1/"));

      // the console's own JavaScript still works: Felix's configuration page saves through jQuery
      browser.driver.get(base + "/system/console/configMgr");
      browser.waitForText("OpenKCM Keystore - InMemory backend", Duration.ofSeconds(30));
      Object status =
          browser.driver.executeAsyncScript(
              "var done=arguments[arguments.length-1];"
                  + "$.post(pluginRoot+'/e2e.probe',{apply:'true',action:'ajaxConfigManager',propertylist:'marker',"
                  + "marker:'saved-by-the-console'}).always(function(d,s,x){done(s);});");
      assertThat(status).isEqualTo("success");
      assertThat(configJson("e2e.probe")).contains("saved-by-the-console");
    }
    // even same-origin with the request token, installing a bundle is off unless enabled
    String requestToken = console.requestToken("/system/console/bundles", USER, password);
    var install =
        console.send(
            "/system/console/bundles",
            USER,
            password,
            "multipart/form-data; boundary=xyz",
            java.net.http.HttpRequest.BodyPublishers.ofString(
                "--xyz\r\nContent-Disposition: form-data; name=\"action\"\r\n\r\ninstall\r\n--xyz--\r\n"),
            "http://127.0.0.1:" + runtime.port,
            requestToken);
    assertThat(install.statusCode()).isEqualTo(403);
    assertThat(install.body()).contains("OPENKCM_CONSOLE_BUNDLE_INSTALL=true");
    var uninstall =
        console.post(
            "/system/console/bundles/" + openbaoBundle,
            USER,
            password,
            "action=uninstall",
            "http://127.0.0.1:" + runtime.port,
            requestToken);
    assertThat(uninstall.statusCode()).isEqualTo(403);
    assertThat(bundleId("openkcm-keystore-openbao")).isEqualTo(openbaoBundle);
  }

  private String configJson(String pid) throws IOException, InterruptedException {
    return console.get("/system/console/configMgr/" + pid + ".json", USER, password).body();
  }

  private long bundleId(String symbolicName) throws IOException, InterruptedException {
    String json = console.get("/system/console/bundles.json", USER, password).body();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile(
                "\\{\"id\":(\\d+),[^{}]*\"symbolicName\":\"" + symbolicName + "\"")
            .matcher(json);
    assertThat(m.find()).as(symbolicName + " in " + json).isTrue();
    return Long.parseLong(m.group(1));
  }

  @Test
  @Order(6)
  void hotDeployedBackendArrivesUpdatesAndLeavesWhileRequestsRun() throws Exception {
    Path jar = Paths.get(System.getProperty("e2e.testbackend"));
    assertThat(jar).as("the scratch backend bundle (testbackend-bundle)").isRegularFile();
    try (ConsoleLoad load =
        new ConsoleLoad(console, PAGE + "?search=1&owner=tenant:e2e", USER, password)) {
      awaitMoreRequests(load);
      int mark = runtime.lineCount();
      copyAtomically(jar, runtime.bundlesDir);
      await("scratch registered")
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  servicesRow()
                      .contains(
                          "<td>scratch</td><td>false</td><td>not called: not configured</td>"));
      await("banner reports scratch")
          .atMost(Duration.ofSeconds(10))
          .until(() -> runtime.outputSince(mark).matches("(?s).*\\n\\s+scratch UP.*"));
      // present but not configured: the core routes nothing to a backend it was not told about
      assertThat(page()).contains("<tr><td>scratch</td><td>UP</td><td>false</td><td>true</td>");
      awaitMoreRequests(load);

      // replacing the jar updates the bundle in place (FileInstall sees a newer file)
      int markUpdate = runtime.lineCount();
      Path deployed = runtime.bundlesDir.resolve(jar.getFileName());
      copyAtomically(jar, runtime.bundlesDir);
      Files.setLastModifiedTime(
          deployed, java.nio.file.attribute.FileTime.from(java.time.Instant.now().plusSeconds(5)));
      await("bundle updated")
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  runtime
                      .outputSince(markUpdate)
                      .contains("Updating bundle openkcm-keystore-testbackend"));
      await("scratch back after the update")
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  servicesRow()
                      .contains(
                          "<td>scratch</td><td>false</td><td>not called: not configured</td>"));
      awaitMoreRequests(load);

      int mark2 = runtime.lineCount();
      Files.delete(runtime.bundlesDir.resolve(jar.getFileName()));
      await("scratch gone")
          .atMost(Duration.ofSeconds(30))
          .until(() -> !servicesRow().contains("<td>scratch</td>"));
      await("banner reprinted without scratch")
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  runtime.outputSince(mark2).contains("== OpenKCM Keystore ==")
                      && lastBanner().contains("inmemory UP")
                      && !lastBanner().contains("scratch"));
      awaitMoreRequests(load);
      assertThat(load.failures()).as("every request while the backend came and went").isEmpty();
    }
  }

  @Test
  @Order(7)
  void guessingTheConsolePasswordIsThrottled() {
    for (int i = 0; i < 300; i++) {
      console.status(PAGE, USER, "guess-" + i);
    }
    assertThat(console.status(PAGE, USER, password))
        .as("the right password right after 300 wrong ones")
        .isEqualTo(429);
    assertThat(runtime.output())
        .contains("Failed console login from 127.0.0.1")
        .doesNotContain("guess-1");
  }

  @Test
  @Order(8)
  void stopsCleanlyOnSignalAndZeroizes() throws Exception {
    int exit = runtime.stop();
    assertThat(runtime.output())
        .contains("InMemory backend 'inmemory' stopped; its records were zeroized");
    assertThat(exit).as("exit status after SIGTERM").isIn(0, 143);
    assertThat(runtime.output()).doesNotContain(password);
  }

  private String lastBanner() {
    String out = runtime.output();
    return out.substring(out.lastIndexOf("== OpenKCM Keystore =="));
  }

  private void awaitMoreRequests(ConsoleLoad load) {
    long now = load.count();
    await("requests served").atMost(Duration.ofSeconds(30)).until(() -> load.count() >= now + 5);
  }

  private String page() throws IOException, InterruptedException {
    return console.get(PAGE, USER, password).body();
  }

  private String servicesRow() throws IOException, InterruptedException {
    String p = page();
    int start = p.indexOf("id='service-table'");
    return start < 0 ? "" : p.substring(start, p.indexOf("</table>", start));
  }

  /**
   * Uses the core's Gogo command {@code keystore:create tier owner [id=..]} (as on the core branch
   * at the time of writing). Creates two L2 keys and waits until the shell printed both.
   */
  private void createKeysThroughTheShell() {
    int mark = runtime.lineCount();
    runtime.shell("keystore:create L2 tenant:e2e id=e2e-acme");
    runtime.shell("keystore:create L2 tenant:e2e id=e2e-globex");
    await("keys created")
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                runtime.outputSince(mark).contains("e2e-acme")
                    && runtime.outputSince(mark).contains("e2e-globex"));
    assertThat(runtime.outputSince(mark)).doesNotContain("error:");
    long firstKeyMillis = (System.nanoTime() - runtime.startedNanos) / 1_000_000;
    try {
      Files.writeString(
          workDir.resolve("figures.txt"),
          "run.sh -> keys stored through the shell (after console ready): "
              + firstKeyMillis
              + " ms\n",
          StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var all = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) all.sorted(java.util.Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }

  static void copyAtomically(Path jar, Path dir) throws IOException {
    Path tmp = dir.resolveSibling(jar.getFileName() + ".part");
    Files.copy(jar, tmp, StandardCopyOption.REPLACE_EXISTING);
    Files.move(tmp, dir.resolve(jar.getFileName()), StandardCopyOption.ATOMIC_MOVE);
  }
}
