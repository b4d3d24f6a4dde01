package org.openkcm.keystore.core.internal.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openkcm.keystore.model.InvalidConfigurationException;
import org.openkcm.keystore.model.Limits;

/**
 * Durations as operators write them: {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 1d},
 * or ISO-8601 ({@code PT5S}). One parser for config.yaml, environment variables, {@code .cfg} files
 * and the Web Console, so a value valid in one place is valid in all.
 */
public final class Durations {
  private static final Pattern SHORT = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h|d)");

  private Durations() {}

  /**
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

  /** Like {@link #parse} but also within [min, max]; the error names the limit that was crossed. */
  public static Duration within(String field, String text, Duration min, Duration max)
      throws InvalidConfigurationException {
    Duration d = parse(field, text);
    if (d.compareTo(min) < 0) {
      throw new InvalidConfigurationException(
          field, "'" + Limits.printable(text.trim()) + "' is below the minimum of " + show(min));
    }
    if (d.compareTo(max) > 0) {
      throw new InvalidConfigurationException(
          field, "'" + Limits.printable(text.trim()) + "' is above the maximum of " + show(max));
    }
    return d;
  }

  private static String show(Duration d) {
    return d.toMillis() < 1000
        ? d.toMillis() + "ms"
        : d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toString();
  }

  /** Like {@link #parse} but also requires a strictly positive value. */
  public static Duration positive(String field, String text) throws InvalidConfigurationException {
    Duration d = parse(field, text);
    if (d.isZero()) {
      throw new InvalidConfigurationException(field, "must be greater than zero");
    }
    return d;
  }
}
