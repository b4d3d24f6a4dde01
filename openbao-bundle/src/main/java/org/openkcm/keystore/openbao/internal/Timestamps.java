package org.openkcm.keystore.openbao.internal;

import java.time.Instant;
import java.time.LocalDate;
import java.time.Month;
import java.time.Year;

/**
 * Parses the UTC timestamps of every read: OpenBao's {@code created_time} and the record's own
 * times, all of the form {@code 2026-12-02T10:25:01.123456789Z} (0-9 fraction digits). {@link
 * Instant#parse} goes through the general formatter machinery and was a sixth of a retrieve's CPU
 * time on the client; this reads that one form directly and hands every other text to {@link
 * Instant#parse}, so it accepts and refuses exactly what {@link Instant#parse} does.
 */
final class Timestamps {
  private Timestamps() {}

  /**
   * @throws java.time.format.DateTimeParseException or {@link java.time.DateTimeException} as
   *     {@link Instant#parse} does
   */
  static Instant parse(String text) {
    Instant fast = parseSimple(text);
    return fast != null ? fast : Instant.parse(text);
  }

  /**
   * @return the instant, or null if the text is not exactly {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z}
   *     with a valid date and time of day (leap seconds and other forms are left to the caller)
   */
  private static Instant parseSimple(String t) {
    int n = t.length();
    if (n < 20
        || n > 30
        || n == 21
        || t.charAt(4) != '-'
        || t.charAt(7) != '-'
        || t.charAt(10) != 'T'
        || t.charAt(13) != ':'
        || t.charAt(16) != ':'
        || t.charAt(n - 1) != 'Z'
        || (n > 20 && t.charAt(19) != '.')) {
      return null;
    }
    int year = digits(t, 0, 4);
    int month = digits(t, 5, 7);
    int day = digits(t, 8, 10);
    int hour = digits(t, 11, 13);
    int minute = digits(t, 14, 16);
    int second = digits(t, 17, 19);
    int fraction = n > 20 ? digits(t, 20, n - 1) : 0;
    if (year < 0
        || month < 1
        || month > 12
        || day < 1
        || day > 31
        || hour < 0
        || hour > 23
        || minute < 0
        || minute > 59
        || second < 0
        || second > 59
        || fraction < 0) {
      return null;
    }
    int nanos = fraction;
    for (int scale = n > 20 ? n - 21 : 9; scale < 9; scale++) { // n - 21 fraction digits
      nanos *= 10;
    }
    if (day > Month.of(month).length(Year.isLeap(year))) {
      return null;
    }
    long epochDay = LocalDate.of(year, month, day).toEpochDay();
    return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
  }

  /**
   * @return the decimal number in {@code t[from, to)}, or -1 if a character is not a digit
   */
  private static int digits(String t, int from, int to) {
    int v = 0;
    for (int i = from; i < to; i++) {
      char c = t.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }
}
