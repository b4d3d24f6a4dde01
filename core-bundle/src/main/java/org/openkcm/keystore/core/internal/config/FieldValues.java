package org.openkcm.keystore.core.internal.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.openkcm.keystore.core.internal.routing.RuleParser;
import org.openkcm.keystore.model.InvalidConfigurationException;
import org.openkcm.keystore.model.Limits;

/**
 * Checks one field value and converts it to the type ConfigAdmin stores. Secret values are never
 * echoed.
 */
final class FieldValues {

  private FieldValues() {}

  static Object typed(
      ConfigTranslator t, String where, FieldType type, Object value, boolean secret)
      throws InvalidConfigurationException {
    switch (type) {
      case STRING, SECRET:
        return scalar(t, where, value);
      case URL:
        {
          String url = scalar(t, where, value).trim();
          // the nodes of a cluster come comma-separated (the owning bundle follows the active one)
          for (String one : url.split(",", -1)) {
            if (!one.trim().matches("https?://[^\\s/?#,]+(:\\d{1,5})?(/[^\\s,]*)?")) {
              throw t.error(
                  where, "'" + show(url, secret) + "' is not an http:// or https:// address");
            }
          }
          return url;
        }
      case PATH:
        {
          String path = scalar(t, where, value).trim().replaceAll("/+$", "");
          // segments that can never climb out of the place the owning component confines them to
          if (!path.matches("[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*")
              || path.contains("..")) {
            throw t.error(
                where,
                "'"
                    + show(path, secret)
                    + "' must be segments of letters, digits, '.', '_' or '-' separated by '/'"
                    + " (no '..')");
          }
          return path;
        }
      case INT:
        return integer(t, where, value);
      case BOOLEAN:
        return bool(t, where, value);
      case DURATION:
        {
          if (!(value instanceof String s)) {
            throw t.error(where, "needs a unit, e.g. 5s or 250ms");
          }
          Durations.parse(where, s); // throws naming the field
          return s.trim();
        }
      case BACKEND:
        return RuleParser.checkBackendName(where, scalar(t, where, value).trim());
      case BACKEND_LIST:
        {
          List<String> names = list(t, where, value, ",");
          for (int i = 0; i < names.size(); i++) {
            RuleParser.checkBackendName(where + "[" + i + "]", names.get(i));
          }
          return names.toArray(new String[0]);
        }
      case LIST:
        return list(t, where, value, ",").toArray(new String[0]);
      case RULES:
        return rules(t, where, value);
      default:
        throw new IllegalStateException(type.name());
    }
  }

  /** A field of a section owned elsewhere: kept with its yaml type, durations checked by name. */
  static Object untyped(
      ConfigTranslator t,
      String where,
      String field,
      Object value,
      boolean secret,
      Pattern durationName)
      throws InvalidConfigurationException {
    if (value instanceof Boolean || value instanceof Integer || value instanceof Long) {
      return value;
    }
    if (value instanceof List<?>) {
      return list(t, where, value, ",").toArray(new String[0]);
    }
    String s = scalar(t, where, value);
    if (!secret && durationName.matcher(field).matches() && !s.matches("\\d+")) {
      Durations.parse(where, s);
    }
    return s;
  }

  private static String[] rules(ConfigTranslator t, String where, Object value)
      throws InvalidConfigurationException {
    List<?> items =
        value instanceof String s
            ? ConfigTranslator.split(s, ";")
            : value instanceof List<?> l ? l : null;
    if (items == null) {
      throw t.error(where, "must be a list of rules");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      String field = where + "[" + i + "]";
      String text =
          items.get(i) instanceof Map<?, ?> m
              ? RuleMaps.toText(t, field, m)
              : scalar(t, field, items.get(i));
      out.add(RuleParser.canonical(field, text));
    }
    return out.toArray(new String[0]);
  }

  static String scalar(ConfigTranslator t, String where, Object value)
      throws InvalidConfigurationException {
    if (value instanceof String || value instanceof Number || value instanceof Boolean) {
      return value.toString();
    }
    throw t.error(
        where, "must be a single value, not a " + (value instanceof Map ? "mapping" : "list"));
  }

  private static List<String> list(ConfigTranslator t, String where, Object value, String separator)
      throws InvalidConfigurationException {
    if (value instanceof String s) {
      return ConfigTranslator.split(s, separator);
    }
    if (!(value instanceof List<?> l)) {
      throw t.error(where, "must be a list");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < l.size(); i++) {
      out.add(scalar(t, where + "[" + i + "]", l.get(i)).trim());
    }
    return out;
  }

  private static Integer integer(ConfigTranslator t, String where, Object value)
      throws InvalidConfigurationException {
    if (value instanceof Integer i) {
      return i;
    }
    try {
      return Integer.valueOf(scalar(t, where, value).trim());
    } catch (NumberFormatException e) {
      throw t.error(where, "'" + Limits.printable(value.toString()) + "' is not a whole number");
    }
  }

  private static Boolean bool(ConfigTranslator t, String where, Object value)
      throws InvalidConfigurationException {
    if (value instanceof Boolean b) {
      return b;
    }
    String s = scalar(t, where, value).trim();
    if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
      return Boolean.valueOf(s);
    }
    throw t.error(where, "'" + Limits.printable(s) + "' is not true or false");
  }

  private static String show(String value, boolean secret) {
    return secret ? "(hidden)" : Limits.printable(value);
  }
}
