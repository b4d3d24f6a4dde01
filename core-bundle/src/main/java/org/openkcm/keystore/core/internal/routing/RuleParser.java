package org.openkcm.keystore.core.internal.routing;

import java.util.EnumSet;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.openkcm.keystore.model.InvalidConfigurationException;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Limits;
import org.openkcm.keystore.model.OwnerType;

/**
 * Reads routing rules in their one textual form, the form ConfigAdmin, Karaf {@code .cfg} files and
 * the Web Console hold: {@code [tier=L2,L3] [owner=type:glob] [tag.name=glob]... -> backend}. A
 * lone {@code *} condition matches every key. Errors name the field (e.g. {@code
 * routing.rules[2].tier}).
 */
public final class RuleParser {
  /** Backend names as the {@code keystore.backend} service property and the PID suffix use them. */
  static final Pattern BACKEND_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

  private static final Pattern ID_GLOB = Pattern.compile("[A-Za-z0-9._*?-]{1,128}");
  private static final Pattern TAG_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}");
  private static final Pattern TAG_GLOB = Pattern.compile("[\\x21-\\x7E]{1,256}");

  private RuleParser() {}

  /**
   * @param field where the rule came from, used in error messages
   * @throws InvalidConfigurationException naming {@code field} plus the offending part
   */
  static RouteRule parse(String field, String text) throws InvalidConfigurationException {
    if (text == null || text.isBlank()) {
      throw new InvalidConfigurationException(field, "is empty");
    }
    int arrow = text.lastIndexOf("->");
    if (arrow < 0) {
      throw new InvalidConfigurationException(
          field, "expected 'condition -> backend', e.g. 'tier=L4 -> cache-store'");
    }
    String backend = checkBackendName(field + ".backend", text.substring(arrow + 2).trim());
    Set<KeyTier> tiers = EnumSet.noneOf(KeyTier.class);
    OwnerType ownerType = null;
    Glob ownerId = null;
    SortedMap<String, Glob> tags = new TreeMap<>();
    for (String token : text.substring(0, arrow).trim().split("\\s+")) {
      if (token.isEmpty() || token.equals("*")) {
        continue;
      }
      int eq = token.indexOf('=');
      String key = eq < 0 ? token : token.substring(0, eq);
      String value = eq < 0 ? "" : token.substring(eq + 1);
      if (key.equals("tier")) {
        tiers.addAll(parseTiers(field + ".tier", value));
      } else if (key.equals("owner")) {
        int colon = value.indexOf(':');
        if (colon < 0) {
          throw new InvalidConfigurationException(
              field + ".owner", "expected type:id-pattern, e.g. tenant:eu-*");
        }
        String type = value.substring(0, colon);
        ownerType = type.equals("*") ? null : ownerType(field + ".owner", type);
        ownerId = parseOwnerId(field + ".owner", value.substring(colon + 1));
      } else if (key.startsWith("tag.")) {
        String name = key.substring(4);
        tags.put(checkTagName(field + ".tags", name), parseTagGlob(field + ".tags." + name, value));
      } else {
        throw new InvalidConfigurationException(
            field,
            "unknown condition '"
                + Limits.printable(key)
                + "', expected tier=, owner= or tag.NAME=");
      }
    }
    return new RouteRule(tiers, ownerType, ownerId, tags, backend);
  }

  /** Checks a rule and returns its canonical text (what the routing table will show). */
  public static String canonical(String field, String text) throws InvalidConfigurationException {
    return parse(field, text).toString();
  }

  static Set<KeyTier> parseTiers(String field, String value) throws InvalidConfigurationException {
    Set<KeyTier> tiers = EnumSet.noneOf(KeyTier.class);
    for (String t : value.split(",")) {
      tiers.add(tier(field, t));
    }
    return tiers;
  }

  private static KeyTier tier(String field, String text) throws InvalidConfigurationException {
    try {
      return KeyTier.parse(field, text);
    } catch (InvalidKeyRequestException e) {
      throw asConfiguration(e);
    }
  }

  private static OwnerType ownerType(String field, String text)
      throws InvalidConfigurationException {
    try {
      return OwnerType.parse(field, text);
    } catch (InvalidKeyRequestException e) {
      throw asConfiguration(e);
    }
  }

  /** The model's parsers speak of key requests; here the refused text is configuration. */
  private static InvalidConfigurationException asConfiguration(InvalidKeyRequestException e) {
    String prefix = e.field() + ": ";
    String problem =
        e.getMessage().startsWith(prefix)
            ? e.getMessage().substring(prefix.length())
            : e.getMessage();
    return new InvalidConfigurationException(e.field(), problem, e);
  }

  private static Glob parseOwnerId(String field, String value)
      throws InvalidConfigurationException {
    if (!ID_GLOB.matcher(value).matches()) {
      throw new InvalidConfigurationException(
          field,
          "id pattern '"
              + Limits.printable(value)
              + "' may hold letters, digits, '.', '_', '-' and the wildcards '*' and '?'");
    }
    Glob g = Glob.of(value);
    return g.matchesEverything() ? null : g;
  }

  static String checkTagName(String field, String name) throws InvalidConfigurationException {
    if (!TAG_NAME.matcher(name).matches()) {
      throw new InvalidConfigurationException(
          field, "tag name '" + Limits.printable(name) + "' is not a valid tag name");
    }
    return name;
  }

  private static Glob parseTagGlob(String field, String value)
      throws InvalidConfigurationException {
    if (!TAG_GLOB.matcher(value).matches()) {
      throw new InvalidConfigurationException(
          field, "value pattern must be 1-256 printable characters without spaces");
    }
    return Glob.of(value);
  }

  /**
   * @throws InvalidConfigurationException unless {@code name} is a valid backend name
   */
  public static String checkBackendName(String field, String name)
      throws InvalidConfigurationException {
    if (name == null || !BACKEND_NAME.matcher(name).matches()) {
      throw new InvalidConfigurationException(
          field,
          "backend name '"
              + Limits.printable(name)
              + "' must be 1-64 lower-case letters, digits, '_' or '-'");
    }
    return name;
  }

  /**
   * @return whether {@code name} could name a backend
   */
  public static boolean isBackendName(String name) {
    return name != null && BACKEND_NAME.matcher(name).matches();
  }
}
