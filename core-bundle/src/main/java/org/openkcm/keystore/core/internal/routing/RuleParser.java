package org.openkcm.keystore.core.internal.routing;

import java.util.EnumSet;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
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
   * @throws InvalidKeyRequestException naming {@code field} plus the offending part
   */
  static RouteRule parse(String field, String text) throws InvalidKeyRequestException {
    if (text == null || text.isBlank()) {
      throw new InvalidKeyRequestException(field, "is empty");
    }
    int arrow = text.lastIndexOf("->");
    if (arrow < 0) {
      throw new InvalidKeyRequestException(
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
          throw new InvalidKeyRequestException(
              field + ".owner", "expected type:id-pattern, e.g. tenant:eu-*");
        }
        String type = value.substring(0, colon);
        ownerType = type.equals("*") ? null : OwnerType.parse(field + ".owner", type);
        ownerId = parseOwnerId(field + ".owner", value.substring(colon + 1));
      } else if (key.startsWith("tag.")) {
        String name = key.substring(4);
        tags.put(checkTagName(field + ".tags", name), parseTagGlob(field + ".tags." + name, value));
      } else {
        throw new InvalidKeyRequestException(
            field,
            "unknown condition '"
                + Limits.printable(key)
                + "', expected tier=, owner= or tag.NAME=");
      }
    }
    return new RouteRule(tiers, ownerType, ownerId, tags, backend);
  }

  /** Checks a rule and returns its canonical text (what the routing table will show). */
  public static String canonical(String field, String text) throws InvalidKeyRequestException {
    return parse(field, text).toString();
  }

  static Set<KeyTier> parseTiers(String field, String value) throws InvalidKeyRequestException {
    Set<KeyTier> tiers = EnumSet.noneOf(KeyTier.class);
    for (String t : value.split(",")) {
      tiers.add(KeyTier.parse(field, t));
    }
    return tiers;
  }

  private static Glob parseOwnerId(String field, String value) throws InvalidKeyRequestException {
    if (!ID_GLOB.matcher(value).matches()) {
      throw new InvalidKeyRequestException(
          field,
          "id pattern '"
              + Limits.printable(value)
              + "' may hold letters, digits, '.', '_', '-' and the wildcards '*' and '?'");
    }
    Glob g = Glob.of(value);
    return g.matchesEverything() ? null : g;
  }

  static String checkTagName(String field, String name) throws InvalidKeyRequestException {
    if (!TAG_NAME.matcher(name).matches()) {
      throw new InvalidKeyRequestException(
          field, "tag name '" + Limits.printable(name) + "' is not a valid tag name");
    }
    return name;
  }

  private static Glob parseTagGlob(String field, String value) throws InvalidKeyRequestException {
    if (!TAG_GLOB.matcher(value).matches()) {
      throw new InvalidKeyRequestException(
          field, "value pattern must be 1-256 printable characters without spaces");
    }
    return Glob.of(value);
  }

  /**
   * @throws InvalidKeyRequestException unless {@code name} is a valid backend name
   */
  public static String checkBackendName(String field, String name)
      throws InvalidKeyRequestException {
    if (name == null || !BACKEND_NAME.matcher(name).matches()) {
      throw new InvalidKeyRequestException(
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
