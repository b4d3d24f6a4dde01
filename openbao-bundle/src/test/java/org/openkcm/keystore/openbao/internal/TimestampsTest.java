package org.openkcm.keystore.openbao.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DateTimeException;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimestampsTest {
  @Test
  void readsWhatInstantParseReadsForEveryFractionLength() {
    Random random = new Random(5);
    for (int i = 0; i < 20_000; i++) {
      Instant t =
          Instant.ofEpochSecond(
              random.nextLong() % 250_000_000_000L + 100_000_000_000L,
              random.nextInt(1_000_000_000));
      String text = t.toString(); // 0, 3, 6 or 9 fraction digits, as the records are written
      assertThat(Timestamps.parse(text)).as(text).isEqualTo(Instant.parse(text));
      for (int digits = 1; digits <= 9; digits++) { // and every length OpenBao may send
        String cut =
            t.toString().substring(0, 19)
                + "."
                + String.format("%09d", t.getNano()).substring(0, digits)
                + "Z";
        if (t.getEpochSecond() >= -62_167_219_200L && t.getEpochSecond() < 253_402_300_800L) {
          assertThat(Timestamps.parse(cut)).as(cut).isEqualTo(Instant.parse(cut));
        }
      }
    }
    assertThat(Timestamps.parse("2024-02-29T23:59:59.000000001Z"))
        .isEqualTo(Instant.parse("2024-02-29T23:59:59.000000001Z"));
    assertThat(Timestamps.parse("2026-12-02T10:25:01Z"))
        .isEqualTo(Instant.parse("2026-12-02T10:25:01Z"));
    // other forms Instant.parse accepts still parse, the same way
    assertThat(Timestamps.parse("2026-12-02T10:25:01+01:00"))
        .isEqualTo(Instant.parse("2026-12-02T10:25:01+01:00"));
    for (String other :
        new String[] {
          "2016-12-31T23:59:60Z",
          "2026-12-02T24:00:00Z",
          "2026-12-02t10:25:01z",
          "2026-12-02T10:25:01.Z"
        }) {
      assertThat(Timestamps.parse(other)).as(other).isEqualTo(Instant.parse(other));
    }
  }

  @Test
  void refusesWhatInstantParseRefuses() {
    for (String bad :
        new String[] {
          "2023-02-29T00:00:00Z",
          "2026-13-01T00:00:00Z",
          "2026-12-32T00:00:00Z",
          "2026-12-02T10:60:00Z",
          "2026-12-02T10:25:01.1234567890Z",
          "2026-12-02T10:25:0xZ",
          "2026-12-02T10:25:01",
          ""
        }) {
      assertThatThrownBy(() -> Instant.parse(bad)).as(bad).isInstanceOf(DateTimeException.class);
      assertThatThrownBy(() -> Timestamps.parse(bad)).as(bad).isInstanceOf(DateTimeException.class);
    }
  }
}
