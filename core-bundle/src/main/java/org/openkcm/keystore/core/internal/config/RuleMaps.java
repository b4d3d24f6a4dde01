package org.openkcm.keystore.core.internal.config;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.openkcm.keystore.model.InvalidConfigurationException;
import org.openkcm.keystore.model.Limits;

/**
 * A routing rule written as a yaml mapping ({@code tier}, {@code owner}, {@code tags}, {@code
 * backend}) turned into the one textual rule form ConfigAdmin holds; the rule parser then checks
 * it.
 */
final class RuleMaps {
  private static final Set<String> FIELDS = Set.of("tier", "tiers", "owner", "tags", "backend");

  private RuleMaps() {}

  static String toText(ConfigTranslator t, String where, Map<?, ?> rule)
      throws InvalidConfigurationException {
    StringBuilder b = new StringBuilder();
    for (Map.Entry<?, ?> e : rule.entrySet()) {
      String key = String.valueOf(e.getKey());
      if (!FIELDS.contains(key)) {
        throw t.error(
            where + "." + Limits.printable(key),
            "unknown field (known: tier, owner, tags, backend)");
      }
    }
    Object tier = rule.containsKey("tier") ? rule.get("tier") : rule.get("tiers");
    if (tier != null) {
      List<?> tiers = tier instanceof List<?> l ? l : List.of(tier);
      StringBuilder joined = new StringBuilder();
      for (Object x : tiers) {
        joined
            .append(joined.length() > 0 ? "," : "")
            .append(FieldValues.scalar(t, where + ".tier", x).trim());
      }
      b.append("tier=").append(joined);
    }
    if (rule.get("owner") != null) {
      b.append(" owner=").append(FieldValues.scalar(t, where + ".owner", rule.get("owner")).trim());
    }
    if (rule.get("tags") != null) {
      if (!(rule.get("tags") instanceof Map<?, ?> tags)) {
        throw t.error(where + ".tags", "must be a mapping of tag name to value pattern");
      }
      for (Map.Entry<?, ?> tag : tags.entrySet()) {
        String name = String.valueOf(tag.getKey());
        b.append(" tag.")
            .append(name)
            .append('=')
            .append(FieldValues.scalar(t, where + ".tags." + name, tag.getValue()).trim());
      }
    }
    Object backend = rule.get("backend");
    if (backend == null) {
      throw t.error(where + ".backend", "is required");
    }
    return (b.length() == 0 ? "*" : b.toString().trim())
        + " -> "
        + FieldValues.scalar(t, where + ".backend", backend).trim();
  }
}
