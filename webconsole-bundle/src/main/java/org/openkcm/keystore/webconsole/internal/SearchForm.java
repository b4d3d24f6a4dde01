package org.openkcm.keystore.webconsole.internal;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Owner;

/**
 * The key metadata search form: request parameters in, a validated {@link KeyFilter} out (the
 * model's validation names the field that is wrong), and the form rendered back with the values
 * entered.
 */
final class SearchForm {
  static final List<String> FIELDS =
      List.of("owner", "tier", "status", "algorithm", "tag", "idPrefix", "pageSize", "cursor");

  private final Map<String, String> values = new LinkedHashMap<>();

  private SearchForm(Function<String, String> params) {
    for (String f : FIELDS) {
      String v = params.apply(f);
      values.put(f, v == null ? "" : v.trim());
    }
  }

  static SearchForm of(Function<String, String> params) {
    return new SearchForm(params);
  }

  String value(String field) {
    return values.getOrDefault(field, "");
  }

  /**
   * @throws InvalidKeyRequestException naming the field that does not parse or is out of limits
   */
  KeyFilter toFilter() throws InvalidKeyRequestException {
    KeyFilter.Builder b = KeyFilter.builder();
    if (!value("owner").isEmpty()) {
      b.owner(Owner.parse(value("owner")));
    }
    if (!value("tier").isEmpty()) {
      b.tier(KeyTier.parse("tier", value("tier")));
    }
    if (!value("status").isEmpty()) {
      b.status(KeyStatus.parse("status", value("status")));
    }
    if (!value("algorithm").isEmpty()) {
      b.algorithm(value("algorithm"));
    }
    if (!value("tag").isEmpty()) {
      String tag = value("tag");
      int eq = tag.indexOf('=');
      if (eq <= 0) {
        throw new InvalidKeyRequestException("tag", "expected name=value, e.g. region=eu");
      }
      b.tag(tag.substring(0, eq).trim(), tag.substring(eq + 1).trim());
    }
    if (!value("idPrefix").isEmpty()) {
      b.idPrefix(value("idPrefix"));
    }
    if (!value("pageSize").isEmpty()) {
      try {
        b.pageSize(Integer.parseInt(value("pageSize")));
      } catch (NumberFormatException e) {
        throw new InvalidKeyRequestException("pageSize", "is not a number");
      }
    }
    b.cursor(value("cursor").isEmpty() ? null : value("cursor"));
    return b.build();
  }

  /** Form fields (no cursor) for the search and migrate forms. */
  String fields() {
    return Html.input("Owner", "owner", value("owner"), "tenant:acme")
        + Html.select("Tier", "tier", value("tier"), Arrays.asList(KeyTier.values()))
        + Html.select("Status", "status", value("status"), Arrays.asList(KeyStatus.values()))
        + Html.input("Algorithm", "algorithm", value("algorithm"), "AES")
        + Html.input("Tag", "tag", value("tag"), "name=value")
        + Html.input("Id prefix", "idPrefix", value("idPrefix"), "acme-")
        + Html.input("Page size", "pageSize", value("pageSize"), "50");
  }

  /**
   * @return the query string of this search positioned at {@code cursor} (for the "next page" link)
   */
  String queryWithCursor(String cursor) {
    StringBuilder q = new StringBuilder("search=1");
    for (String f : FIELDS) {
      String v = "cursor".equals(f) ? cursor : value(f);
      if (v != null && !v.isEmpty()) {
        q.append('&').append(f).append('=').append(Html.uri(v));
      }
    }
    return q.toString();
  }
}
