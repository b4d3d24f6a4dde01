package org.openkcm.keystore.webconsole.internal;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.openkcm.keystore.model.InvalidKeyRequestException;

/** Parses the free-text fields of the key forms: tags one {@code name=value} a line, an expiry. */
final class FormValues {

  private FormValues() {}

  /**
   * @return the tags, in name order; internal {@code openkcm.*} names are refused by the core
   */
  static SortedMap<String, String> tags(String text) throws InvalidKeyRequestException {
    SortedMap<String, String> out = new TreeMap<>();
    if (text == null) {
      return out;
    }
    for (String line : text.split("\\R")) {
      String l = line.trim();
      if (l.isEmpty()) {
        continue;
      }
      int eq = l.indexOf('=');
      if (eq <= 0) {
        throw new InvalidKeyRequestException(
            "tags", "expected one name=value a line, e.g. region=eu (got a line without '=')");
      }
      out.put(l.substring(0, eq).trim(), l.substring(eq + 1).trim());
    }
    return out;
  }

  /**
   * @return the instant, null for none
   */
  static Instant expiry(String text) throws InvalidKeyRequestException {
    if (text == null || text.isBlank()) {
      return null;
    }
    String t = text.trim();
    try {
      return t.length() == 10
          ? LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant()
          : Instant.parse(t);
    } catch (DateTimeParseException e) {
      throw new InvalidKeyRequestException(
          "expires",
          "expected an ISO-8601 date or instant, e.g. 2027-12-31 or 2027-12-31T00:00:00Z");
    }
  }

  /** The tags as the form shows them, one a line. */
  static String text(Map<String, String> tags) {
    StringBuilder b = new StringBuilder();
    tags.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
    return b.toString();
  }
}
