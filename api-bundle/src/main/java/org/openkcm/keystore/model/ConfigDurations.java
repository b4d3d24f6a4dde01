package org.openkcm.keystore.model;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one way durations are written in the configuration ({@code config.yaml}, environment, {@code
 * .cfg} files, the Web Console): a whole number and a unit, {@code 250ms}, {@code 5s}, {@code 30m},
 * {@code 1h}, {@code 1d}, or ISO-8601 ({@code PT5S}). Backend bundles parse their own duration
 * fields with it, so a value the configuration bridge accepts is one they accept.
 */
public final class ConfigDurations {
  private static final Pattern SHORT = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h|d)");

  private ConfigDurations() {}

  /**
   * @param field the configuration field, named by the error
   * @param text the value as written
   * @return the duration, never negative
   * @throws InvalidConfigurationException naming {@code field} if the text is not a duration or is
   *     negative
   */
  public static Duration parse(String field, String text) throws InvalidConfigurationException {
    String t = text == null ? "" : text.trim();
    Matcher m = SHORT.matcher(t);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    try {
      Duration d = Duration.parse(t);
      if (!d.isNegative()) {
        return d;
      }
    } catch (DateTimeParseException e) {
      // fall through to the one error message below
    }
    throw new InvalidConfigurationException(
        field, "'" + Limits.printable(t) + "' is not a duration (e.g. 250ms, 5s, 2m, 1h, PT5S)");
  }
}
