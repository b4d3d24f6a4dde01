package org.openkcm.keystore.core.internal.shell;

import java.util.LinkedHashMap;
import java.util.Map;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Limits;
import org.openkcm.keystore.model.Owner;

/**
 * {@code name=value} command arguments, e.g. {@code tier=L3 owner=tenant:acme tag.region=eu
 * page=...}.
 */
final class ShellArguments {
  private final Map<String, String> values = new LinkedHashMap<>();
  private final Map<String, String> tags = new LinkedHashMap<>();

  private ShellArguments() {}

  static ShellArguments parse(String... args) throws InvalidKeyRequestException {
    ShellLine.checkNotCut();
    ShellArguments a = new ShellArguments();
    for (String arg : args == null ? new String[0] : args) {
      int eq = arg.indexOf('=');
      if (eq <= 0) {
        throw new InvalidKeyRequestException(Limits.printable(arg), "expected name=value");
      }
      String name = arg.substring(0, eq);
      if (name.startsWith("tag.")) {
        a.tags.put(name.substring(4), arg.substring(eq + 1));
      } else {
        a.values.put(name, arg.substring(eq + 1));
      }
    }
    return a;
  }

  String get(String name) {
    return values.get(name);
  }

  Map<String, String> tags() {
    return tags;
  }

  /** Throws naming the first argument not in {@code allowed}. */
  ShellArguments allow(String... allowed) throws InvalidKeyRequestException {
    outer:
    for (String name : values.keySet()) {
      for (String ok : allowed) {
        if (ok.equals(name)) {
          continue outer;
        }
      }
      throw new InvalidKeyRequestException(
          Limits.printable(name),
          "unknown argument (allowed: " + String.join(", ", allowed) + ", tag.NAME)");
    }
    return this;
  }

  /** A key filter from {@code tier owner status algorithm prefix id size page tag.*}. */
  KeyFilter filter() throws InvalidKeyRequestException {
    allow("tier", "owner", "status", "algorithm", "prefix", "id", "size", "page");
    KeyFilter.Builder b = KeyFilter.builder();
    if (get("tier") != null) {
      b.tier(KeyTier.parse("tier", get("tier")));
    }
    if (get("owner") != null) {
      b.owner(Owner.parse(get("owner")));
    }
    if (get("status") != null) {
      for (String s : get("status").split(",")) {
        b.status(KeyStatus.parse("status", s));
      }
    }
    notAPattern("prefix", get("prefix"));
    notAPattern("id", get("id"));
    b.algorithm(get("algorithm")).idPrefix(get("prefix")).keyId(get("id")).cursor(get("page"));
    if (get("size") != null) {
      b.pageSize(integer("size"));
    }
    tags.forEach(b::tag);
    return b.build();
  }

  /**
   * Refuses {@code *} and {@code ?} where they would be taken literally, pointing at where globs
   * work.
   */
  static void notAPattern(String field, String value) throws InvalidKeyRequestException {
    if (value != null && (value.indexOf('*') >= 0 || value.indexOf('?') >= 0)) {
      throw new InvalidKeyRequestException(
          field,
          "'"
              + Limits.printable(value)
              + "' is not a pattern: key ids are matched literally (prefix=ID lists the ids that start with ID)");
    }
  }

  int integer(String name) throws InvalidKeyRequestException {
    try {
      return Integer.parseInt(get(name).trim());
    } catch (NumberFormatException e) {
      throw new InvalidKeyRequestException(
          name, "'" + Limits.printable(get(name)) + "' is not a number");
    }
  }
}
