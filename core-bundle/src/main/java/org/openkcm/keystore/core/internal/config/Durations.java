package org.openkcm.keystore.core.internal.config;

import java.time.Duration;
import org.openkcm.keystore.model.ConfigDurations;
import org.openkcm.keystore.model.InvalidConfigurationException;
import org.openkcm.keystore.model.Limits;

/**
 * Durations as operators write them: {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 1d},
 * or ISO-8601 ({@code PT5S}). One parser ({@link ConfigDurations}, which the backend bundles use
 * too) for config.yaml, environment variables, {@code .cfg} files and the Web Console, so a value
 * valid in one place is valid in all.
 */
public final class Durations {
  private Durations() {}

  /**
   * @throws InvalidConfigurationException naming {@code field} if the text is not a duration or is
   *     negative
   */
  public static Duration parse(String field, String text) throws InvalidConfigurationException {
    return ConfigDurations.parse(field, text);
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
