package org.openkcm.keystore.metrics.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.audit.OperationCounts;
import org.openkcm.keystore.audit.OperationEvent;

/** The exposition: names under openkcm_keystore_, latencies and errors moved by events. */
class KeystoreMetricsTest {

  private static String scrape(KeystoreMetrics m) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new PrometheusTextFormatWriter(false).write(out, m.registry().scrape());
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void operationsMoveLatencyAndErrorMetrics() throws Exception {
    KeystoreMetrics m = new KeystoreMetrics();
    m.completed(
        OperationEvent.builder("key.create", Instant.now())
            .backend("inmemory")
            .tier("L4")
            .key("l4-x", 1)
            .durationNanos(2_000_000)
            .build());
    m.completed(
        OperationEvent.builder("key.open", Instant.now())
            .outcome("KeyNotFound")
            .durationNanos(1_000)
            .build());
    m.completed(OperationEvent.builder("key.rotate", Instant.now()).build());
    String text = scrape(m);
    assertThat(text)
        .contains(
            "openkcm_keystore_operation_duration_seconds_count{backend=\"inmemory\",operation=\"key.create\",tier=\"L4\"} 1")
        .contains(
            "openkcm_keystore_operation_errors_total{kind=\"KeyNotFound\",operation=\"key.open\"} 1.0")
        .contains("openkcm_keystore_saga_outcomes_total{outcome=\"ok\",saga=\"rotate\"} 1.0")
        .doesNotContain("l4-x"); // key ids are never labels
    for (String line : text.split("\n")) {
      if (!line.startsWith("#") && !line.isBlank()) {
        assertThat(line).startsWith("openkcm_keystore_");
      }
    }
  }

  @Test
  void theSampleFeedsTheHistogramAndEveryFailureTheErrorCount() throws Exception {
    KeystoreMetrics m = new KeystoreMetrics();
    assertThat(m.sampleEvery()).isEqualTo(KeystoreMetrics.SAMPLE_EVERY).isGreaterThan(1);
    m.completed( // the timed call of a period
        OperationEvent.builder("key.open", Instant.now())
            .backend("inmemory")
            .tier("L4")
            .durationNanos(80)
            .sampleWeight(KeystoreMetrics.SAMPLE_EVERY)
            .build());
    for (int i = 0; i < 3; i++) { // failures outside the sample: counted, never timed
      m.completed(
          OperationEvent.builder("key.open", Instant.now())
              .outcome("KeyNotFound")
              .sampleWeight(0)
              .build());
    }
    String text = scrape(m);
    assertThat(text)
        .contains(
            "openkcm_keystore_operation_duration_seconds_count{backend=\"inmemory\",operation=\"key.open\",tier=\"L4\"} 1")
        .doesNotContain(
            "openkcm_keystore_operation_duration_seconds_count{backend=\"\",operation=\"key.open\"")
        .contains(
            "openkcm_keystore_operation_errors_total{kind=\"KeyNotFound\",operation=\"key.open\"} 3.0")
        .contains("one call in " + KeystoreMetrics.SAMPLE_EVERY); // the HELP says it is a sample
  }

  @Test
  void theCoresExactCountsAreServedByOperationAndOutcome() throws Exception {
    OperationCounts counts = () -> List.of(new OperationCounts.Count("key.open", 1234, 5, 2));
    String text = scrape(new KeystoreMetrics(counts));
    assertThat(text)
        .contains("openkcm_keystore_operations_total{operation=\"key.open\",outcome=\"ok\"} 1234.0")
        .contains(
            "openkcm_keystore_operations_total{operation=\"key.open\",outcome=\"failed\"} 5.0")
        .contains(
            "openkcm_keystore_operations_total{operation=\"key.open\",outcome=\"refused\"} 2.0");
    assertThat(scrape(new KeystoreMetrics())).doesNotContain("openkcm_keystore_operations_total{");
  }

  @Test
  void grpcCallsAreCountedByServiceMethodAndCodeAndTimedByMethod() throws Exception {
    KeystoreMetrics m = new KeystoreMetrics();
    for (String outcome :
        new String[] {OperationEvent.OK, OperationEvent.OK, "PERMISSION_DENIED"}) {
      m.completed(
          OperationEvent.builder("grpc.call", Instant.now())
              .actor("grpc:spiffe://openkcm.dev/app")
              .subject("KeyService/CreateKey")
              .outcome(outcome)
              .durationNanos(3_000_000)
              .build());
    }
    String text = scrape(m);
    assertThat(text)
        .contains(
            "openkcm_keystore_grpc_server_handled_total{grpc_code=\"OK\",grpc_method=\"CreateKey\",grpc_service=\"KeyService\"} 2.0")
        .contains(
            "openkcm_keystore_grpc_server_handled_total{grpc_code=\"PERMISSION_DENIED\",grpc_method=\"CreateKey\",grpc_service=\"KeyService\"} 1.0")
        .contains(
            "openkcm_keystore_grpc_server_handling_seconds_count{grpc_method=\"CreateKey\",grpc_service=\"KeyService\"} 3")
        .doesNotContain("spiffe") // client identities are never labels
        .doesNotContain("operation=\"grpc.call\""); // not counted twice as a core operation
  }

  @Test
  void theLoginIsTheConsolesAndNothingElse() {
    BasicLogin login = new BasicLogin("ops", "s3cret-pass");
    String good = Base64.getEncoder().encodeToString("ops:s3cret-pass".getBytes());
    String bad = Base64.getEncoder().encodeToString("ops:wrong".getBytes());
    assertThat(login.accepts("Basic " + good)).isTrue();
    assertThat(login.accepts("Basic " + bad)).isFalse();
    assertThat(login.accepts(null)).isFalse();
    assertThat(new BasicLogin(null, null).accepts("Basic " + good)).isFalse();
    assertThat(login.toString()).doesNotContain("s3cret");
  }
}
