package org.openkcm.keystore.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The runtime accounted for: the audit trail of shell operations, configuration and backend events
 * (verified by {@code keystore:audit verify}, tampering found), and a real Prometheus server
 * scraping {@code /metrics} behind the console login.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ObservabilityIT {
  private static final String USER = "obs-operator";
  private final String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
  private final Path target =
      Paths.get(System.getProperty("e2e.target", "target")).toAbsolutePath();
  private final Path workDir = target.resolve("observability");
  private RuntimeProcess runtime;
  private Path trail;
  private PrometheusServer prometheus;

  /** One real Prometheus scraping the runtime, shared by the tests that query it. */
  private PrometheusServer prometheus() throws IOException {
    if (prometheus == null) {
      prometheus =
          new PrometheusServer(workDir.resolve("prometheus"), runtime.port, USER, password);
    }
    return prometheus;
  }

  @BeforeAll
  void start() throws Exception {
    Path repo = Paths.get(System.getProperty("e2e.repo", "..")).toAbsolutePath().normalize();
    Path built = Paths.get(System.getProperty("e2e.runtime", "target/runtime")).toAbsolutePath();
    RuntimeEndToEndIT.deleteTree(workDir);
    Files.createDirectories(workDir);
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
                // a fresh installation: no master key yet
                "OPENKCM_KEYSTORE_ROOT_KEY_MASTER_KEY_FILE",
                workDir.resolve("master.key").toString()));
    trail = runtime.runtimeDir.resolve("audit/keystore-audit.log");
    await("metrics served")
        .atMost(RuntimeEndToEndIT.START_TIMEOUT)
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions() // connection refused until the HTTP port is up
        .until(() -> !runtime.alive() || metricsStatus(true) == 200);
    assertThat(runtime.alive()).as("runtime running; output:\n" + runtime.output()).isTrue();
  }

  @AfterAll
  void stop() throws Exception {
    if (prometheus != null) {
      prometheus.close();
    }
    if (runtime != null) {
      runtime.close();
    }
  }

  private int metricsStatus(boolean login) throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runtime.port + "/metrics"));
    if (login) {
      b.header(
          "Authorization",
          "Basic "
              + Base64.getEncoder()
                  .encodeToString((USER + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }
    return HttpClient.newHttpClient()
        .send(b.build(), HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  private String shell(String command, String expect) {
    int from = runtime.lineCount();
    runtime.shell(command);
    await(command)
        .atMost(Duration.ofSeconds(30))
        .until(() -> runtime.outputSince(from).contains(expect));
    return runtime.outputSince(from);
  }

  /** The live trail's complete lines, as a consumer reads them: up to the zero tail. */
  private List<String> entries() throws IOException {
    if (!Files.exists(trail)) {
      return List.of();
    }
    String text = Files.readString(trail, StandardCharsets.UTF_8);
    int zero = text.indexOf('\0');
    String entries = zero < 0 ? text : text.substring(0, zero);
    return entries.substring(0, entries.lastIndexOf('\n') + 1).lines().toList();
  }

  /**
   * On a fresh installation no master key exists before the first key; the trail's chain key comes
   * through the core's master-key guard, so the first audited operation (a health check, not a
   * create) is answered and recorded rather than refused for want of a chain key.
   */
  @Test
  @Order(0)
  void aFreshRuntimeAnswersAndAuditsAHealthCheckBeforeItsFirstKey() throws Exception {
    String out = shell("keystore:check inmemory", "inmemory ");
    assertThat(out).containsPattern("\\ninmemory\\s+yes\\s+yes\\s+UP\\s");
    await("the check is in the trail")
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                entries().stream()
                    .anyMatch(
                        l ->
                            l.contains("\"op\":\"admin.check_health\"")
                                && l.contains("\"outcome\":\"ok\"")));
    assertThat(workDir.resolve("master.key"))
        .as("made by the trail's first entry (the backend's arrival)")
        .exists();
  }

  @Test
  @Order(1)
  void shellOperationsConfigAndBackendEventsAreInTheTrail() throws Exception {
    // a configuration change through FileInstall (etc/<pid>.cfg), as an operator makes one
    Files.writeString(
        runtime.runtimeDir.resolve("etc/org.openkcm.keystore.metrics.cfg"), "requireLogin=true\n");
    shell("keystore:create L2 tenant:obs id=obs-acme", "obs-acme");
    shell("keystore:get obs-acme", "obs-acme");
    await("entries durable, the configuration change seen")
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                entries().stream().anyMatch(l -> l.contains("\"op\":\"key.create\""))
                    && entries().stream()
                        .anyMatch(
                            l ->
                                l.contains("\"op\":\"config.updated\"")
                                    && l.contains("org.openkcm.keystore.metrics")));
    List<String> lines = entries();
    assertThat(lines)
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains("\"actor\":\"shell\"", "\"op\":\"key.create\"", "\"tier\":\"L2\"")
                    .contains("\"owner\":\"tenant:obs\"", "\"backend\":\"inmemory\"")
                    .contains("\"outcome\":\"ok\"", "\"bundle\":\"openkcm-keystore-core\""));
    assertThat(lines)
        .anySatisfy(l -> assertThat(l).contains("\"op\":\"backend.arrived\"", "\"inmemory\""));
    assertThat(lines)
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains(
                        "\"op\":\"config.updated\"",
                        "\"subject\":\"org.openkcm.keystore.metrics\""));
    String all = String.join("\n", lines);
    assertThat(all).doesNotContain(password).doesNotContainIgnoringCase("material");
  }

  @Test
  @Order(2)
  void verifyChecksTheTrailAndFindsAnEditedEntry() throws Exception {
    String ok = shell("keystore:audit verify", "entries checked");
    assertThat(ok).contains("OK: ").contains("chain intact");
    List<String> lines = new ArrayList<>(entries());
    int edit = lines.size() / 2;
    lines.set(edit, lines.get(edit).replace("\"outcome\":\"ok\"", "\"outcome\":\"KeyNotFound\""));
    Path copy = workDir.resolve("edited-audit.log");
    Files.write(copy, lines, StandardCharsets.UTF_8);
    String bad = shell("keystore:audit verify " + copy, "entries checked");
    assertThat(bad)
        .contains(
            "TAMPERED: " + edit + " entries checked; first bad: edited-audit.log:" + (edit + 1));
  }

  @Test
  @Order(3)
  void livenessAndReadinessAnswerAProbeWithoutLogin() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> live =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runtime.port + "/health/live"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(live.statusCode()).isEqualTo(200);
    await("ready")
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                http.send(
                            HttpRequest.newBuilder(
                                    URI.create(
                                        "http://127.0.0.1:" + runtime.port + "/health/ready"))
                                .build(),
                            HttpResponse.BodyHandlers.ofString())
                        .statusCode()
                    == 200);
    String ready =
        http.send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + runtime.port + "/health/ready"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    assertThat(ready)
        .startsWith("{\"status\":\"UP\"")
        .contains("\"name\":\"backend:inmemory\",\"ok\":true")
        .contains("\"name\":\"rootkey:local\",\"ok\":true")
        .contains("\"name\":\"audit\",\"ok\":true")
        .doesNotContain(password);
  }

  @Test
  @Order(4)
  void metricsNeedTheLoginAndARealPrometheusScrapesThem() throws Exception {
    assertThat(metricsStatus(false)).isEqualTo(401);
    PrometheusServer prometheus = prometheus();
    {
      shell("keystore:create L2 tenant:obs id=obs-globex", "obs-globex");
      await("Prometheus scraped the workload")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> {
                assertThat(prometheus.alive()).as("prometheus running").isTrue();
                return prometheus
                    .query(
                        "openkcm_keystore_operation_duration_seconds_count{operation=\"key.create\"}")
                    .matches("(?s).*\"value\":\\[[0-9.]+,\"([2-9]|[1-9][0-9]+)\"\\].*");
              });
      assertThat(prometheus.targetUp()).contains("\"value\":[").contains(",\"1\"]");
      // the core's exact count of the same workload, every create that got its result
      await("Prometheus scraped the exact counts")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .until(
              () ->
                  prometheus
                      .query(
                          "openkcm_keystore_operations_total{operation=\"key.create\","
                              + "outcome=\"ok\"}")
                      .matches("(?s).*\"value\":\\[[0-9.]+,\"([2-9]|[1-9][0-9]+)\"\\].*"));
      assertThat(prometheus.query("openkcm_keystore_audit_queue_depth"))
          .contains("\"sink\":\"file\"");
      assertThat(prometheus.query("openkcm_keystore_backend_up{backend=\"inmemory\"}"))
          .contains(",\"1\"]");
    }
  }

  @Test
  @Order(5)
  void grpcCallsAreCountedByMethodAndCodeAndTheDeniedOnesAudited() throws Exception {
    Path certs = workDir.resolve("grpc-certs");
    Process mk =
        new ProcessBuilder(
                "bash",
                runtime.runtimeDir.resolve("bin/make-dev-certs").toString(),
                certs.toString(),
                "app",
                "intruder")
            .redirectErrorStream(true)
            .start();
    assertThat(mk.waitFor()).as(new String(mk.getInputStream().readAllBytes())).isZero();
    int grpcPort = RuntimeProcess.freePort();
    Files.writeString(
        runtime.runtimeDir.resolve("etc/org.openkcm.keystore.grpc.cfg"),
        String.join(
            "\n",
            "host = \"127.0.0.1\"",
            "port = I\"" + grpcPort + "\"",
            "certFile = \"" + certs.resolve("server.pem") + "\"",
            "keyFile = \"" + certs.resolve("server-key.pem") + "\"",
            "clientCaFile = \"" + certs.resolve("ca.pem") + "\"",
            "clients = [\"identity=spiffe://openkcm.dev/app; owners=tenant:grpc-obs;"
                + " ops=KeyService/CreateKey\"]",
            ""));
    PrometheusServer prom = prometheus();
    try (GrpcTlsClient app = new GrpcTlsClient(grpcPort, certs, "app");
        GrpcTlsClient intruder = new GrpcTlsClient(grpcPort, certs, "intruder")) {
      await("gRPC server up")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> app.createL2("grpc-obs", "grpc-obs-1") == io.grpc.Status.Code.OK);
      assertThat(app.createL2("grpc-obs", "grpc-obs-2")).isEqualTo(io.grpc.Status.Code.OK);
      assertThat(app.createL2("grpc-obs", "grpc-obs-3")).isEqualTo(io.grpc.Status.Code.OK);
      // the core refuses this one (and records it); the door's decisions follow
      assertThat(app.createL2("grpc-obs", "grpc-obs-1"))
          .isEqualTo(io.grpc.Status.Code.ALREADY_EXISTS);
      assertThat(app.createL2("someone-else", "grpc-foreign"))
          .isEqualTo(io.grpc.Status.Code.PERMISSION_DENIED);
      assertThat(app.listKeys()).isEqualTo(io.grpc.Status.Code.PERMISSION_DENIED);
      assertThat(
              app.createKey(
                  org.openkcm.keystore.proto.v1.KeyTier.KEY_TIER_UNSPECIFIED, "grpc-obs", "x"))
          .isEqualTo(io.grpc.Status.Code.INVALID_ARGUMENT);
      assertThat(intruder.createL2("grpc-obs", "grpc-intruder"))
          .isEqualTo(io.grpc.Status.Code.PERMISSION_DENIED);
    }
    // one scrape may fall inside the workload: wait for one that saw all of it
    await("Prometheus scraped the whole gRPC workload")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              assertThat(
                      prom.query(
                          "openkcm_keystore_grpc_server_handled_total{grpc_service=\"KeyService\","
                              + "grpc_method=\"CreateKey\",grpc_code=\"OK\"}"))
                  .contains(",\"3\"]");
              assertThat(
                      prom.query(
                          "openkcm_keystore_grpc_server_handled_total{grpc_method=\"CreateKey\","
                              + "grpc_code=\"PERMISSION_DENIED\"}"))
                  .contains(",\"2\"]");
              assertThat(
                      prom.query(
                          "openkcm_keystore_grpc_server_handling_seconds_count"
                              + "{grpc_method=\"ListKeys\"}"))
                  .contains(",\"1\"]");
            });
    assertThat(prom.query("openkcm_keystore_pool_calls_max{backend=\"inmemory\"}"))
        .contains("\"backend\":\"inmemory\"");

    List<String> grpcEntries =
        entries().stream().filter(l -> l.contains("\"op\":\"grpc.call\"")).toList();
    assertThat(grpcEntries)
        .as("one door entry per call the core did not account for")
        .hasSize(4)
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains("\"actor\":\"grpc:spiffe://openkcm.dev/app\"")
                    .contains("\"subject\":\"KeyService/ListKeys\"")
                    .contains("\"outcome\":\"PERMISSION_DENIED\""))
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains("\"actor\":\"grpc:spiffe://openkcm.dev/intruder\"")
                    .contains("\"subject\":\"KeyService/CreateKey\"")
                    .contains("\"outcome\":\"PERMISSION_DENIED\""))
        .anySatisfy(l -> assertThat(l).contains("\"outcome\":\"INVALID_ARGUMENT\""))
        .noneSatisfy(l -> assertThat(l).contains("ALREADY_EXISTS"))
        .noneSatisfy(l -> assertThat(l).contains("\"outcome\":\"ok\""));
    assertThat(entries())
        .as("the calls that reached the core are its entries, with the client as actor")
        .filteredOn(
            l ->
                l.contains("\"op\":\"key.create\"")
                    && l.contains("\"actor\":\"grpc:spiffe://openkcm.dev/app\""))
        .hasSize(4)
        .anySatisfy(l -> assertThat(l).contains("\"outcome\":\"KeyAlreadyExists\""));
    assertThat(shell("keystore:audit verify", "entries checked")).contains("chain intact");
  }

  @Test
  @Order(6)
  void theConsoleHealthViewRunsTheSameChecks() throws Exception {
    HttpResponse<String> view =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:"
                                + runtime.port
                                + "/system/console/healthcheck?tags=ready"))
                    .header(
                        "Authorization",
                        "Basic "
                            + Base64.getEncoder()
                                .encodeToString(
                                    (USER + ":" + password).getBytes(StandardCharsets.UTF_8)))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(view.statusCode()).isEqualTo(200);
    assertThat(view.body())
        .contains("backend:inmemory", "rootkey:local", "audit", "core")
        .contains("HealthCheck executed, 0 failures")
        .doesNotContain(password);
  }
}
