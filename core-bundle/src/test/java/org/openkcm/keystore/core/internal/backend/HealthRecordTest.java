package org.openkcm.keystore.core.internal.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.api.BackendStatus;
import org.openkcm.keystore.spi.BackendState;

/** What the operator sees of one backend's health tells the truth after recovery and departure. */
class HealthRecordTest {
  private final HealthRecord r = new HealthRecord();

  @Test
  void aLastErrorIsClearedOnceAHealthyCheckFollowsIt() {
    Instant t0 = Instant.now();
    r.observe(BackendState.UNAVAILABLE, "connection refused", Duration.ZERO, t0);
    assertThat(status(true).detail()).contains("connection refused");
    r.observe(BackendState.UP, "", Duration.ofMillis(2), t0.plusSeconds(5));
    assertThat(status(true).detail())
        .doesNotContain("connection refused")
        .doesNotContain("last error");
    r.failedCall("timed out on list");
    assertThat(status(true).detail()).contains("last error at").contains("timed out on list");
    r.observe(BackendState.UP, "", Duration.ofMillis(2), Instant.now().plusSeconds(1));
    assertThat(status(true).detail()).doesNotContain("timed out");
  }

  @Test
  void aCountOlderThanTheLastCheckSaysWhenItWasTaken() {
    r.observe(BackendState.UP, "", Duration.ZERO, Instant.now());
    r.keyCount(3);
    assertThat(status(true).detail()).doesNotContain("keys counted");
    r.observe(BackendState.UP, "", Duration.ZERO, Instant.now().plusSeconds(30));
    assertThat(status(true).keyCount()).isEqualTo(3);
    assertThat(status(true).detail()).contains("keys counted at");
  }

  @Test
  void aBackendWhoseServiceLeftIsNeverShownAsServing() {
    r.observe(BackendState.UP, "", Duration.ZERO, Instant.now());
    BackendStatus gone = status(false);
    assertThat(gone.state()).isEqualTo(BackendState.UNAVAILABLE);
    assertThat(gone.detail()).startsWith("no service registered now");
    assertThat(status(true).state()).isEqualTo(BackendState.UP);
  }

  private BackendStatus status(boolean present) {
    return r.toStatus("vault", true, present, true);
  }
}
