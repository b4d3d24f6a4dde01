package org.openkcm.keystore.webconsole.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Owner;

class SearchFormTest {

  private static SearchForm form(Map<String, String> params) {
    return SearchForm.of(params::get);
  }

  @Test
  void everyFieldBecomesACriterion() throws Exception {
    KeyFilter f =
        form(Map.of(
                "owner",
                "tenant:acme",
                "tier",
                "l3",
                "status",
                "ACTIVE",
                "algorithm",
                "AES",
                "tag",
                "region = eu",
                "idPrefix",
                "acme-",
                "pageSize",
                "25"))
            .toFilter();
    assertThat(f.owner()).contains(Owner.tenant("acme"));
    assertThat(f.tier()).contains(KeyTier.L3);
    assertThat(f.statuses()).containsExactly(KeyStatus.ACTIVE);
    assertThat(f.algorithm()).contains("AES");
    assertThat(f.tags()).containsEntry("region", "eu").hasSize(1);
    assertThat(f.idPrefix()).contains("acme-");
    assertThat(f.pageSize()).isEqualTo(25);
    assertThat(f.after()).isEmpty();
  }

  @Test
  void emptyFormMatchesEverything() throws Exception {
    KeyFilter f = form(Map.of("owner", " ", "tier", "")).toFilter();
    assertThat(f.owner()).isEmpty();
    assertThat(f.tier()).isEmpty();
    assertThat(f.pageSize()).isEqualTo(KeyFilter.all().pageSize());
  }

  @Test
  void badInputNamesTheField() {
    assertField(Map.of("tier", "L9"), "tier");
    assertField(Map.of("owner", "acme"), "owner");
    assertField(Map.of("tag", "no-equals"), "tag");
    assertField(Map.of("pageSize", "ten"), "pageSize");
    assertField(Map.of("pageSize", "0"), "pageSize");
    assertField(Map.of("status", "GONE"), "status");
    assertField(Map.of("cursor", "not a cursor"), "cursor");
  }

  @Test
  void nextPageLinkKeepsTheCriteriaAndEncodesThem() throws Exception {
    SearchForm f = form(Map.of("owner", "tenant:acme", "tag", "a=b&c"));
    String cursor = KeyFilter.cursorAfter(KeyRef.of("acme-1", 1));
    String q = f.queryWithCursor(cursor);
    assertThat(q).startsWith("search=1&owner=tenant%3Aacme&tag=a%3Db%26c&cursor=");
    Map<String, String> back = new java.util.HashMap<>();
    for (String kv : q.split("&")) {
      String[] p = kv.split("=", 2);
      back.put(p[0], java.net.URLDecoder.decode(p[1], java.nio.charset.StandardCharsets.UTF_8));
    }
    assertThat(form(back).toFilter().after()).contains(KeyRef.of("acme-1", 1));
  }

  @Test
  void renderedFieldsEncodeWhatWasTyped() {
    String html = form(Map.of("idPrefix", "\"><script>alert(1)</script>")).fields();
    // attribute context: quotes and '<' are encoded ('>' is harmless inside a quoted attribute)
    assertThat(html)
        .doesNotContain("<script>")
        .doesNotContain("value='\"")
        .contains("value='&#34;>&lt;script>");
  }

  private static void assertField(Map<String, String> params, String field) {
    assertThatThrownBy(() -> form(params).toFilter())
        .isInstanceOf(InvalidKeyRequestException.class)
        .satisfies(e -> assertThat(((InvalidKeyRequestException) e).field()).isEqualTo(field));
  }
}
