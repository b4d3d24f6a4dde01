package org.openkcm.keystore.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;

/**
 * Key management in the console, as an operator does it in a real headless Chromium against the
 * built runtime: an L2 -> L3 -> L4 hierarchy created through the forms, rotated, suspended,
 * re-tagged, drawn, and a key destroyed after its id is typed again; then a configured backend (the
 * hot-deployed scratch backend, lookup-only) goes down, and listings are partial and say so. A page
 * of another origin posting the same actions through the logged-in browser changes nothing.
 * Screenshots go to {@code target/e2e-console/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleKeyManagementIT {
  private static final String USER = "e2e-keys";
  private static final String PAGE = RuntimeEndToEndIT.PAGE;

  private final String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
  private final Path target =
      Paths.get(System.getProperty("e2e.target", "target")).toAbsolutePath();
  private final Path workDir = target.resolve("e2e-console");
  private Path scratchJar;
  private RuntimeProcess runtime;
  private ConsoleClient console;
  private Browser browser;
  private KeystorePageSteps page;

  @BeforeAll
  void startRuntime() throws IOException {
    Path repo = Paths.get(System.getProperty("e2e.repo", "..")).toAbsolutePath().normalize();
    Path built = Paths.get(System.getProperty("e2e.runtime", "target/runtime")).toAbsolutePath();
    RuntimeEndToEndIT.deleteTree(workDir);
    Files.createDirectories(workDir);
    Path config = workDir.resolve("config.yaml");
    // every tier on InMemory; the hot-deployed scratch backend configured lookup-only: the last
    // test removes its bundle, so the backend is down while configured
    Files.writeString(
        config, "routing:\n  rules: []\n  default: inmemory\n  backends: [scratch]\n");
    Path jar = Paths.get(System.getProperty("e2e.testbackend"));
    Files.createDirectories(workDir.resolve("hot-deploy"));
    scratchJar = workDir.resolve("hot-deploy").resolve(jar.getFileName());
    Files.copy(jar, scratchJar);
    byte[] master = new byte[32];
    new SecureRandom().nextBytes(master);
    runtime =
        new RuntimeProcess(
            repo,
            built,
            workDir,
            Map.of(
                "OPENKCM_CONSOLE_USER",
                USER,
                "OPENKCM_CONSOLE_PASSWORD",
                password,
                "OPENKCM_KEYSTORE_CONFIG",
                config.toString(),
                "OPENKCM_KEYSTORE_MASTER_KEY",
                Base64.getEncoder().encodeToString(master),
                "BAO_ADDR",
                "http://127.0.0.1:" + RuntimeProcess.freePort(),
                "BAO_TOKEN",
                "e2e-nothing-listens-there"));
    console = new ConsoleClient(runtime.port);
    await("console ready")
        .atMost(RuntimeEndToEndIT.START_TIMEOUT)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> !runtime.alive() || console.status(PAGE, USER, password) == 200);
    assertThat(runtime.alive()).as("runtime running; output:\n" + runtime.output()).isTrue();
    await("scratch UP")
        .atMost(Duration.ofSeconds(60))
        .until(() -> runtime.output().contains("Backend 'scratch' is UP"));
    browser = new Browser(workDir.resolve("chromium-profile"));
    page = new KeystorePageSteps(browser);
  }

  @AfterAll
  void stop() throws Exception {
    if (browser != null) {
      browser.close();
    }
    if (runtime != null) {
      runtime.close();
    }
  }

  @Test
  @Order(1)
  void anOperatorBuildsAHierarchyThroughTheForms() throws Exception {
    browser.driver.get("http://" + USER + ":" + password + "@127.0.0.1:" + runtime.port + PAGE);
    browser.waitForText("Create a key", Duration.ofSeconds(30));
    page.fill("create-form-owner", "tenant:e2e");
    page.fill("create-form-id", "e2e-acme");
    page.submit("create-form-submit");
    assertThat(page.text("result")).startsWith("Created e2e-acme@1 (L2, ACTIVE)");
    assertThat(page.text("key-heading")).isEqualTo("Key e2e-acme");

    createChild("service:billing", "e2e-billing");
    assertThat(page.text("result")).startsWith("Created e2e-billing@1 (L3, ACTIVE)");
    createChild("service:billing", "e2e-row-1");
    openKey("e2e-billing");
    createChild("service:billing", "e2e-row-2");
    assertThat(page.text("result")).startsWith("Created e2e-row-2@1 (L4, ACTIVE)");
    assertThat(page.text("parent-chain"))
        .isEqualTo("e2e-row-2@1 → e2e-billing@1 → e2e-acme@1 → root key");
  }

  @Test
  @Order(2)
  void rotateChangeStatusAndRetagShowOnTheKeyPage() throws Exception {
    openKey("e2e-billing");
    page.submit("rotate-submit");
    assertThat(page.text("result")).isEqualTo("Rotated e2e-billing: e2e-billing@2 is ACTIVE");
    assertThat(page.row("version-table", "e2e-billing@2")).contains("ACTIVE", "inmemory");
    assertThat(page.row("version-table", "e2e-billing@1")).contains("DEPRECATED");
    assertThat(page.row("version-table", "e2e-billing@2"))
        .as("backend, revision and a 6-hex-digit check value")
        .containsPattern("inmemory \\d+ \\(\\d+ sealed bytes\\) [0-9a-f]{6}");
    assertThat(page.text("children-table")).contains("e2e-row-1@1", "e2e-row-2@1");

    openKey("e2e-row-1");
    page.choose("status-e2e-row-1@1", "SUSPENDED");
    page.submit("status-submit-e2e-row-1@1");
    assertThat(page.text("result")).isEqualTo("Status of e2e-row-1@1 is now SUSPENDED");
    assertThat(page.row("version-table", "e2e-row-1@1")).contains("SUSPENDED");

    openKey("e2e-row-2");
    page.fill("update-form-tags", "region=eu\nteam=payments");
    page.fill("update-form-expires", "2030-01-01");
    page.submit("update-submit");
    assertThat(page.text("result")).contains("expires 2030-01-01T00:00:00Z");
    assertThat(page.row("version-table", "e2e-row-2@1"))
        .contains("2030-01-01T00:00:00Z", "region=eu", "team=payments")
        .doesNotContain("openkcm.");
    openKey("e2e-billing");
    browser.screenshot(workDir.resolve("key-page.png"));
  }

  @Test
  @Order(3)
  void theHierarchyIsDrawnWithStatusColours() throws Exception {
    browser.driver.get(base() + PAGE + "?tree=tenant:e2e");
    browser.waitForText("Key hierarchy of tenant:e2e", Duration.ofSeconds(30));
    assertThat(node("e2e-acme")).isEqualTo("ACTIVE");
    assertThat(node("e2e-billing")).isEqualTo("ACTIVE");
    assertThat(node("e2e-row-1")).isEqualTo("SUSPENDED");
    assertThat(node("e2e-row-2")).isEqualTo("ACTIVE");
    browser.screenshot(workDir.resolve("hierarchy.png"));
  }

  @Test
  @Order(4)
  void aCrossOriginPostOfAKeyActionChangesNothing() throws Exception {
    String token = csrfTokenOfThePage();
    HttpServer site = attackerSite(token);
    try {
      for (String attack : new String[] {"destroy", "rotate", "status"}) {
        browser.driver.get(
            "http://localhost:" + site.getAddress().getPort() + "/" + attack + ".html");
        browser.waitForText("Refused: not same-origin", Duration.ofSeconds(30));
      }
    } finally {
      site.stop(0);
    }
    String row1 = console.get(PAGE + "?key=e2e-row-1", USER, password).body();
    assertThat(row1).as("not destroyed, still SUSPENDED").contains("e2e-row-1@1</td><td>SUSPENDED");
    String acme = console.get(PAGE + "?key=e2e-acme", USER, password).body();
    assertThat(acme)
        .as("not rotated")
        .doesNotContain("e2e-acme@2")
        .contains("e2e-acme@1</td><td>ACTIVE");
    assertThat(runtime.output())
        .contains("Refused console POST " + PAGE)
        .doesNotContain("Console action destroy on 'e2e-row-1'")
        .doesNotContain("Console action rotate on 'e2e-acme'");
  }

  @Test
  @Order(5)
  void destroyNeedsTheKeyIdTypedAgain() throws Exception {
    openKey("e2e-row-2");
    page.fill("destroy-confirm", "e2e-row");
    page.submit("destroy-submit");
    assertThat(page.text("result")).contains("nothing was destroyed");
    assertThat(page.row("version-table", "e2e-row-2@1")).contains("ACTIVE");

    page.fill("destroy-confirm", "e2e-row-2");
    ((org.openqa.selenium.JavascriptExecutor) browser.driver)
        .executeScript("document.getElementById('destroy-form').scrollIntoView();");
    browser.screenshot(workDir.resolve("destroy-confirmation.png"));
    page.submit("destroy-submit");
    assertThat(page.text("result")).isEqualTo("Destroyed every version of e2e-row-2");
    assertThat(console.get(PAGE + "?key=e2e-row-2", USER, password).body())
        .doesNotContain("e2e-row-2@1</td><td>ACTIVE");
    assertThat(runtime.output())
        .contains("Console action destroy on 'e2e-row-2' by " + USER + " from 127.0.0.1: done");
    assertThat(workDir.resolve("destroy-confirmation.png")).isNotEmptyFile();
    assertThat(runtime.output()).doesNotContain(password);
  }

  @Test
  @Order(6)
  void aListingWithABackendDownIsPartialAndNamesIt() throws Exception {
    Files.delete(scratchJar);
    await("scratch gone")
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> runtime.output().contains("Backend 'scratch' has no Keystore service any more"));
    browser.driver.get(base() + PAGE + "?search=1&owner=service:billing");
    browser.waitForText("key version(s) on this page", Duration.ofSeconds(30));
    assertThat(page.text("key-table")).contains("e2e-billing@2", "e2e-row-1@1", "e2e-row-2@1");
    assertThat(browser.driver.findElement(By.className("partial")).getText())
        .isEqualTo("Partial result: backend(s) unavailable: scratch (their keys are not listed)");
    browser.screenshot(workDir.resolve("partial-listing.png"));
    browser.driver.get(base() + PAGE + "?tree=tenant:e2e");
    browser.waitForText("Key hierarchy of tenant:e2e", Duration.ofSeconds(30));
    assertThat(browser.driver.findElement(By.className("partial")).getText()).contains("scratch");
    assertThat(node("e2e-row-1")).isEqualTo("SUSPENDED");
  }

  private void createChild(String owner, String id) {
    page.fill("create-child-form-owner", owner);
    page.fill("create-child-form-id", id);
    page.submit("create-child-form-submit");
  }

  private void openKey(String id) {
    browser.driver.get(base() + PAGE + "?key=" + id);
    browser.waitForText("Key " + id, Duration.ofSeconds(30));
  }

  private String node(String id) {
    return browser.driver.findElement(By.id("node-" + id)).getAttribute("data-status");
  }

  private String base() {
    return "http://127.0.0.1:" + runtime.port;
  }

  private String csrfTokenOfThePage() throws Exception {
    String body = console.get(PAGE, USER, password).body();
    return body.replaceAll("(?s).*name='csrf' value='([^']+)'.*", "$1");
  }

  /**
   * Pages of another origin that post key actions to the console as top-level form submissions
   * (which carry the browser's login), with the page's own CSRF token even: only the console
   * request guard stands in the way.
   */
  private HttpServer attackerSite(String csrf) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    Map<String, String> forms =
        Map.of(
            "/destroy.html", "action=destroy&key=e2e-row-1&confirm=e2e-row-1&cascade=true",
            "/rotate.html", "action=rotate&key=e2e-acme",
            "/status.html", "action=changeStatus&key=e2e-row-1@1&status=COMPROMISED");
    server.createContext(
        "/",
        exchange -> {
          String fields = forms.getOrDefault(exchange.getRequestURI().getPath(), "");
          StringBuilder b =
              new StringBuilder("<!DOCTYPE html><html><body><form id='f' method='POST' action='")
                  .append(base())
                  .append(PAGE)
                  .append("'>");
          for (String pair : (fields + "&csrf=" + csrf).split("&")) {
            String[] kv = pair.split("=", 2);
            b.append("<input name='").append(kv[0]).append("' value='").append(kv[1]).append("'>");
          }
          b.append("</form><script>document.getElementById('f').submit();</script></body></html>");
          byte[] body = b.toString().getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "text/html;charset=utf-8");
          exchange.sendResponseHeaders(
              fields.isEmpty() ? 404 : 200, fields.isEmpty() ? -1 : body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(fields.isEmpty() ? new byte[0] : body);
          }
        });
    server.start();
    return server;
  }
}
