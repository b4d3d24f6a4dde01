package org.openkcm.keystore.distribution;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus server (the Debian package's binary) on a free loopback port, scraping one
 * target every second with HTTP Basic; its HTTP API answers queries.
 */
final class PrometheusServer implements AutoCloseable {
  private final Process process;
  private final int port;
  private final HttpClient http = HttpClient.newHttpClient();

  PrometheusServer(Path dir, int targetPort, String user, String password) throws IOException {
    this.port = RuntimeProcess.freePort();
    Files.createDirectories(dir);
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(
        config,
        "global: {scrape_interval: 1s, scrape_timeout: 1s}\n"
            + "scrape_configs:\n"
            + "  - job_name: keystore\n"
            + "    metrics_path: /metrics\n"
            + "    basic_auth: {username: '"
            + user
            + "', password_file: '"
            + dir.resolve("password")
            + "'}\n"
            + "    static_configs: [{targets: ['127.0.0.1:"
            + targetPort
            + "']}]\n",
        StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("password"), password, StandardCharsets.UTF_8);
    this.process =
        new ProcessBuilder(
                "prometheus",
                "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("prometheus.log").toFile())
            .start();
  }

  boolean alive() {
    return process.isAlive();
  }

  /**
   * @return the body of {@code GET /api/v1/query?query=...} (JSON), or "" while it does not answer
   */
  String query(String promql) {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(
                      URI.create(
                          "http://127.0.0.1:"
                              + port
                              + "/api/v1/query?query="
                              + URLEncoder.encode(promql, StandardCharsets.UTF_8)))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : "";
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  /** {@code up} of the keystore target, as Prometheus saw its last scrape. */
  String targetUp() {
    return query("up{job=\"keystore\"}");
  }

  @Override
  public void close() {
    process.toHandle().destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
