package org.openkcm.keystore.core.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.model.InvalidConfigurationException;

class DurationsTest {
  @Test
  void readsShortAndIsoForms() throws Exception {
    assertThat(Durations.parse("f", "250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Durations.parse("f", " 5s ")).isEqualTo(Duration.ofSeconds(5));
    assertThat(Durations.parse("f", "2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(Durations.parse("f", "1h")).isEqualTo(Duration.ofHours(1));
    assertThat(Durations.parse("f", "1d")).isEqualTo(Duration.ofDays(1));
    assertThat(Durations.parse("f", "PT1.5S")).isEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void rejectsNamingTheField() {
    for (String bad : new String[] {"", "5", "5 sec", "-PT1S", "soon", null}) {
      assertThatThrownBy(() -> Durations.parse("plugins.callTimeout", bad))
          .isInstanceOf(InvalidConfigurationException.class)
          .satisfies(
              e ->
                  assertThat(((InvalidConfigurationException) e).field())
                      .hasValue("plugins.callTimeout"));
    }
    assertThatThrownBy(() -> Durations.positive("x", "0s"))
        .isInstanceOf(InvalidConfigurationException.class);
  }
}
