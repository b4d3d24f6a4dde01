package org.openkcm.keystore.benchmarks;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The floor of a retrieve or a write: a bare {@code java.net.http} client reading or writing the
 * same KV v2 path, configured as the backend configures its own (one shared client, no retries) and
 * nothing else: no routing, no worker hand-off, no record decoding, no crypto. Paths are given as
 * {@code secret/<below the mount>}; the KV v2 {@code data/} segment is inserted here.
 */
final class BareClient implements AutoCloseable {
  private final ExecutorService executor =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "bare-client-http");
            t.setDaemon(true);
            return t;
          });
  private final HttpClient http;
  private final String address;
  private final String token;

  BareClient(String address, String token) {
    this.address = address;
    this.token = token;
    this.http =
        HttpClient.newBuilder()
            .executor(executor)
            .version(
                address.startsWith("https")
                    ? HttpClient.Version.HTTP_2
                    : HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
  }

  /**
   * @return the secret's data; fails on anything but 200, so a broken setup cannot look fast
   */
  JsonObject read(String path) throws Exception {
    HttpResponse<byte[]> r =
        http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("bare read of " + path + " answered " + r.statusCode());
    }
    return JsonParser.parseString(new String(r.body(), StandardCharsets.UTF_8))
        .getAsJsonObject()
        .getAsJsonObject("data")
        .getAsJsonObject("data");
  }

  /** One KV v2 write of a small secret (no check-and-set); fails on anything but 200. */
  void write(String path, Map<String, Object> data) throws Exception {
    JsonObject d = new JsonObject();
    data.forEach((k, v) -> d.addProperty(k, String.valueOf(v)));
    JsonObject body = new JsonObject();
    body.add("data", d);
    HttpResponse<byte[]> r =
        http.send(
            request(path).POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("bare write of " + path + " answered " + r.statusCode());
    }
  }

  private HttpRequest.Builder request(String path) {
    String api = path.replaceFirst("^secret/", "secret/data/");
    return HttpRequest.newBuilder(URI.create(address + "/v1/" + api))
        .timeout(Duration.ofSeconds(5))
        .header("X-Vault-Token", token);
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
