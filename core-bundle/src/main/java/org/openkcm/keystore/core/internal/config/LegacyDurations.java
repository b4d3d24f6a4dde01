package org.openkcm.keystore.core.internal.config;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openkcm.keystore.model.InvalidConfigurationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The field names of the earlier duration convention, accepted for one release: a number in {@code
 * <name>Seconds} or {@code <name>Millis} (e.g. {@code cache.l2.ttlSeconds: 300}, {@code
 * backends.openbao.connectTimeoutMillis: 2000}) sets the duration field {@code <name>} the
 * section's metatype declares ({@code 300s}, {@code 2000ms}), with a WARN naming the new field. No
 * list of old names: the rule applies wherever the metatype has the duration field and not the old
 * one.
 */
final class LegacyDurations {
  private static final Logger LOG = LoggerFactory.getLogger(LegacyDurations.class);
  private static final Pattern OLD = Pattern.compile("(.+)(Seconds|Millis)");

  /** The field the old name stands for, and the value in the duration convention. */
  record Renamed(String field, String value) {}

  private LegacyDurations() {}

  /**
   * An earlier name of a duration field.
   *
   * @param field the duration field the metatype declares, e.g. {@code l2.ttl}
   * @param unit {@code s} for {@code <field>Seconds}, {@code ms} for {@code <field>Millis}
   */
  record OldName(String field, String unit) {

    /**
     * @return the value in the duration convention ({@code 300} is {@code 300s}), empty if it is
     *     not a whole number
     */
    Optional<String> duration(Object value) {
      String number = String.valueOf(value).trim();
      if (!(value instanceof Number || value instanceof String) || !number.matches("\\d{1,9}")) {
        return Optional.empty();
      }
      return Optional.of(number + unit);
    }

    /** What the old name takes, for the messages. */
    String takes() {
      return "a whole number of " + (unit.equals("s") ? "seconds" : "milliseconds");
    }
  }

  /** Whether {@code field} is written like an earlier name (a cheap test before the metatype's). */
  static boolean looksOld(String field) {
    return OLD.matcher(field).matches();
  }

  /**
   * The rule: {@code <name>Seconds} or {@code <name>Millis} is an earlier name when the fields
   * declare {@code <name>} a duration and do not declare the old name itself.
   *
   * @param field the field as read (environment variables arrive camelCased)
   * @param known the section's fields and their types
   * @return the duration field it stands for, empty if {@code field} is no old name of one
   */
  static Optional<OldName> oldName(String field, Map<String, FieldType> known) {
    Matcher m = OLD.matcher(field);
    if (!m.matches() || known.containsKey(field)) {
      return Optional.empty();
    }
    String base = ConfigTranslator.matching(known.keySet(), m.group(1));
    if (known.get(base) != FieldType.DURATION) {
      return Optional.empty();
    }
    return Optional.of(new OldName(base, m.group(2).equals("Seconds") ? "s" : "ms"));
  }

  /**
   * @param path the section, e.g. {@code cache}
   * @param where the old field as written, for the messages
   * @param field the field as read (environment variables arrive camelCased)
   * @param known the section's fields and their types
   * @return the duration field and value, empty if {@code field} is no old name of one
   * @throws InvalidConfigurationException if it is an old name but its value is not a whole number
   */
  static Optional<Renamed> rename(
      String path, String where, String field, Object value, Map<String, FieldType> known)
      throws InvalidConfigurationException {
    Optional<OldName> old = oldName(field, known);
    if (old.isEmpty()) {
      return Optional.empty();
    }
    String base = old.get().field();
    Optional<String> duration = old.get().duration(value);
    if (duration.isEmpty()) {
      throw new InvalidConfigurationException(
          where, "is the earlier name of " + path + "." + base + " and takes " + old.get().takes());
    }
    LOG.warn(
        "Configuration field {} is deprecated and accepted for this release only: write {}.{}: {}",
        where,
        path,
        base,
        duration.get());
    return Optional.of(new Renamed(base, duration.get()));
  }
}
