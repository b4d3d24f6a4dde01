package org.openkcm.keystore.metrics.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.api.BackendStatus;
import org.openkcm.keystore.audit.AuditSink;
import org.openkcm.keystore.audit.OperationEvent;
import org.openkcm.keystore.spi.BackendHealth;
import org.openkcm.keystore.spi.BackendState;

/** Ready only when every configured backend, the root key and an audit sink are fine. */
class ReadinessChecksTest {
  private static BackendStatus backend(String name, boolean configured, BackendState s) {
    return new BackendStatus(name, configured, true, true, s, "", Duration.ZERO, Instant.now(), 0);
  }

  private static AuditSink sink(boolean writable) {
    return new AuditSink() {
      @Override
      public String name() {
        return "file";
      }

      @Override
      public void append(OperationEvent event) {}

      @Override
      public boolean writable() {
        return writable;
      }
    };
  }

  @Test
  void readyWhenAllAreUp() {
    List<ReadinessChecks.Check> c =
        ReadinessChecks.run(
            List.of(
                backend("inmemory", true, BackendState.UP),
                backend("spare", false, BackendState.UNAVAILABLE)),
            BackendHealth.up(Duration.ZERO),
            "local",
            List.of(sink(true)));
    assertThat(c).allMatch(ReadinessChecks.Check::ok);
    assertThat(ReadinessChecks.json(c))
        .startsWith("{\"status\":\"UP\"")
        .contains("backend:inmemory", "rootkey:local", "\"audit\"")
        .doesNotContain("spare");
  }

  @Test
  void notReadyWhenABackendIsSealedTheRootKeyIsAbsentOrNoSinkWrites() {
    assertThat(
            ReadinessChecks.json(
                ReadinessChecks.run(
                    List.of(backend("openbao", true, BackendState.SEALED)),
                    BackendHealth.up(Duration.ZERO),
                    "local",
                    List.of(sink(true)))))
        .startsWith("{\"status\":\"DOWN\"")
        .contains("\"name\":\"backend:openbao\",\"ok\":false,\"state\":\"SEALED\"");
    assertThat(ReadinessChecks.run(List.of(), null, "openbao-transit", List.of(sink(true))))
        .anySatisfy(
            c ->
                assertThat(c)
                    .isEqualTo(
                        new ReadinessChecks.Check("rootkey:openbao-transit", false, "ABSENT")));
    assertThat(
            ReadinessChecks.run(
                List.of(), BackendHealth.up(Duration.ZERO), "local", List.of(sink(false))))
        .anySatisfy(
            c ->
                assertThat(c).isEqualTo(new ReadinessChecks.Check("audit", false, "NOT_WRITABLE")));
  }
}
