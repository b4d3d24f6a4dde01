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
        List.of(
            ReadinessChecks.backend(backend("inmemory", true, BackendState.UP)),
            ReadinessChecks.rootKey(BackendHealth.up(Duration.ZERO), "local"),
            ReadinessChecks.audit(List.of(sink(true))));
    assertThat(c).allMatch(ReadinessChecks.Check::ok);
    assertThat(ReadinessChecks.json(c))
        .startsWith("{\"status\":\"UP\"")
        .contains("backend:inmemory", "rootkey:local", "\"audit\"");
    assertThat(ReadinessChecks.json(List.of())).as("no check at all is not ready").contains("DOWN");
  }

  @Test
  void notReadyWhenABackendIsSealedTheRootKeyIsAbsentOrNoSinkWrites() {
    assertThat(
            ReadinessChecks.json(
                List.of(
                    ReadinessChecks.backend(backend("openbao", true, BackendState.SEALED)),
                    ReadinessChecks.audit(List.of(sink(true))))))
        .startsWith("{\"status\":\"DOWN\"")
        .contains("\"name\":\"backend:openbao\",\"ok\":false,\"state\":\"SEALED\"");
    assertThat(ReadinessChecks.rootKey(null, "openbao-transit"))
        .isEqualTo(new ReadinessChecks.Check("rootkey:openbao-transit", false, "ABSENT"));
    assertThat(ReadinessChecks.audit(List.of(sink(false))))
        .isEqualTo(new ReadinessChecks.Check("audit", false, "NOT_WRITABLE"));
    assertThat(ReadinessChecks.audit(List.of()))
        .isEqualTo(new ReadinessChecks.Check("audit", false, "NO_SINK"));
  }
}
