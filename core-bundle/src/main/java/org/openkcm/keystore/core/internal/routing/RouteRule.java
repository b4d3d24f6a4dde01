package org.openkcm.keystore.core.internal.routing;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.OwnerType;

/**
 * One routing rule: every condition that is set must hold (tiers: any of them; owner: type and id
 * glob; tags: each named tag present with a value matching its glob). An empty condition matches
 * every key.
 *
 * @param ownerType {@code null} for any owner type
 * @param ownerId {@code null} for any owner id
 */
record RouteRule(
    Set<KeyTier> tiers,
    OwnerType ownerType,
    Glob ownerId,
    SortedMap<String, Glob> tags,
    String backend) {

  RouteRule {
    tiers = tiers.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(tiers));
    tags = new TreeMap<>(tags);
  }

  boolean matches(KeyMetadata key) {
    if (!tiers.isEmpty() && !tiers.contains(key.tier())) {
      return false;
    }
    if (ownerType != null && ownerType != key.owner().type()) {
      return false;
    }
    if (ownerId != null && !ownerId.matches(key.owner().id())) {
      return false;
    }
    for (Map.Entry<String, Glob> t : tags.entrySet()) {
      if (!t.getValue().matches(key.tags().get(t.getKey()))) {
        return false;
      }
    }
    return true;
  }

  /**
   * @return the same rule sending its keys elsewhere (used when its backend is not configured)
   */
  RouteRule withBackend(String other) {
    return new RouteRule(tiers, ownerType, ownerId, tags, other);
  }

  /**
   * @return the condition in the form {@link RuleParser} reads, e.g. {@code tier=L2,L3
   *     owner=tenant:eu-*}
   */
  String condition() {
    StringBuilder b = new StringBuilder();
    if (!tiers.isEmpty()) {
      b.append("tier=")
          .append(EnumSet.copyOf(tiers).stream().map(Enum::name).collect(Collectors.joining(",")));
    }
    if (ownerType != null || ownerId != null) {
      String type = ownerType == null ? "*" : ownerType.name().toLowerCase(java.util.Locale.ROOT);
      b.append(b.length() > 0 ? " " : "")
          .append("owner=")
          .append(type)
          .append(':')
          .append(ownerId == null ? "*" : ownerId);
    }
    tags.forEach(
        (k, v) ->
            b.append(b.length() > 0 ? " " : "").append("tag.").append(k).append('=').append(v));
    return b.length() == 0 ? "*" : b.toString();
  }

  /**
   * @return the canonical text of the whole rule, {@code condition -> backend}
   */
  @Override
  public String toString() {
    return condition() + " -> " + backend;
  }
}
