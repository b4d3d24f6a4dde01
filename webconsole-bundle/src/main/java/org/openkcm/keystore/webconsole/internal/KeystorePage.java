package org.openkcm.keystore.webconsole.internal;

import java.time.Duration;
import java.util.List;
import org.openkcm.keystore.api.BackendStatus;
import org.openkcm.keystore.api.CacheStatistics;
import org.openkcm.keystore.api.KeyService;
import org.openkcm.keystore.api.KeystoreAdmin;
import org.openkcm.keystore.api.RouteView;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Page;

/**
 * Renders the sections of the Keystore page from whatever services are present at this moment; a
 * missing service shows as "not available" instead of failing the page. Only metadata is ever
 * shown.
 */
final class KeystorePage {
  static final String NOT_AVAILABLE = "not available";

  private final Html html;
  private final KeyService keys;
  private final KeystoreAdmin admin;
  private final List<String> presentNames;
  private final String csrfToken;

  /**
   * @param presentNames the backend names of the Keystore services registered now (from their
   *     service properties)
   */
  KeystorePage(
      Html html,
      KeyService keys,
      KeystoreAdmin admin,
      List<String> presentNames,
      String csrfToken) {
    this.html = html;
    this.keys = keys;
    this.admin = admin;
    this.presentNames = presentNames == null ? List.of() : presentNames;
    this.csrfToken = csrfToken;
  }

  void render(String flash, SearchForm search, boolean searching) {
    html.raw("<div id='openkcm-keystore'>");
    html.paragraph(
        "statline",
        "KeyService: "
            + (keys != null ? "available" : NOT_AVAILABLE)
            + " | KeystoreAdmin: "
            + (admin != null ? "available" : NOT_AVAILABLE));
    if (flash != null) {
      html.raw("<div id='result' class='ui-state-highlight'>")
          .paragraph("result", flash)
          .raw("</div>");
    }
    backendsSection();
    servicesSection();
    routesSection();
    cacheSection();
    searchSection(search, searching);
    keysSection();
    migrateSection(search);
    html.raw("</div>");
  }

  private void backendsSection() {
    html.heading("Backends", "backends");
    if (admin == null) {
      html.paragraph("na", "KeystoreAdmin " + NOT_AVAILABLE + " (the core has not started)");
      return;
    }
    html.tableStart(
        "backend-table",
        "Name",
        "State",
        "Configured",
        "Present",
        "Persistent",
        "Latency (ms)",
        "Last error / detail",
        "Checked",
        "Keys",
        "Action");
    for (BackendStatus s : admin.backends()) {
      String form =
          "<form method='post' class='recheck'>"
              + Html.hidden("action", "checkHealth")
              + Html.hidden("backend", s.name())
              + Html.hidden("csrf", csrfToken)
              + "<input type='submit' value='Re-check' id='"
              + Html.attr("recheck-" + s.name())
              + "'></form>";
      html.rowWithMarkup(
          form,
          s.name(),
          s.state(),
          s.configured(),
          s.present(),
          s.persistent(),
          millis(s.latency()),
          s.detail(),
          s.checkedAt(),
          s.keyCount() < 0 ? "unknown" : s.keyCount());
    }
    html.tableEnd();
  }

  /**
   * Every Keystore service registered now, configured or not, by the name in its service
   * properties. The page never calls a service itself (a hung or rogue one would hang the console):
   * state and persistence come from the plugin manager's guarded view, and only for configured
   * backends.
   */
  private void servicesSection() {
    html.heading("Backend services present", "services");
    html.tableStart("service-table", "Name", "Configured", "Last known state", "Persistent");
    java.util.Map<String, BackendStatus> known = new java.util.HashMap<>();
    if (admin != null) {
      admin.backends().forEach(s -> known.put(s.name(), s));
    }
    for (String name : new java.util.TreeSet<>(presentNames)) {
      BackendStatus s = known.get(name);
      if (s != null && s.configured()) {
        html.row(name, true, s.state(), s.persistent());
      } else {
        html.row(
            name,
            false,
            admin == null ? "unknown: the core is not available" : "not called: not configured",
            "");
      }
    }
    html.tableEnd();
  }

  private void routesSection() {
    html.heading("Routing rules (first match wins)", "routes");
    if (admin == null) {
      html.paragraph("na", "Routing " + NOT_AVAILABLE);
      return;
    }
    html.tableStart("route-table", "#", "Condition", "Backend");
    for (RouteView r : admin.routes()) {
      html.row(r.position(), r.condition(), r.backend());
    }
    html.tableEnd();
  }

  private void cacheSection() {
    html.heading("Caches", "caches");
    if (keys == null) {
      html.paragraph("na", "KeyService " + NOT_AVAILABLE);
      return;
    }
    CacheStatistics stats = keys.cacheStatistics();
    html.tableStart("cache-table", "Layer", "Size", "Hits", "Misses", "Evictions", "Hit rate");
    for (CacheStatistics.Layer l : stats.layers()) {
      html.row(
          l.name(),
          l.size(),
          l.hits(),
          l.misses(),
          l.evictions(),
          String.format("%.1f %%", l.hitRate() * 100));
    }
    html.tableEnd();
  }

  private void searchSection(SearchForm search, boolean searching) {
    html.heading("Key metadata search", "search");
    html.raw(
        "<form method='get' id='search-form'>"
            + Html.hidden("search", "1")
            + search.fields()
            + "<input type='submit' value='Search' id='search-submit'></form>");
    if (!searching) {
      return;
    }
    if (keys == null) {
      html.paragraph("na", "KeyService " + NOT_AVAILABLE);
      return;
    }
    try {
      Page<KeyMetadata> page = keys.list(search.toFilter());
      html.paragraph("count", page.items().size() + " key version(s) on this page");
      partialNotice(html, page);
      html.tableStart(
          "key-table",
          "Key",
          "Tier",
          "Status",
          "Owner",
          "Algorithm",
          "Parent",
          "Created",
          "Expires",
          "Tags");
      for (KeyMetadata m : page.items()) {
        html.rowLeadingMarkup(
            KeyView.link(m.ref()),
            m.tier(),
            m.status(),
            m.owner(),
            m.algorithm() + "-" + m.keySize(),
            m.parent().map(Object::toString).orElse(""),
            m.createdAt(),
            m.expiresAt().map(Object::toString).orElse(""),
            userTags(m));
      }
      html.tableEnd();
      page.nextCursor()
          .ifPresent(
              c ->
                  html.raw(
                      "<p><a id='next-page' href='?"
                          + Html.attr(search.queryWithCursor(c))
                          + "'>Next page</a></p>"));
    } catch (KeystoreException e) {
      html.paragraph("error", "Search failed: " + e.getMessage());
    }
  }

  /** Says which backends a listing could not reach (their keys are missing from it). */
  static void partialNotice(Html html, Page<?> page) {
    if (page.partial()) {
      html.paragraph(
          "partial",
          "Partial result: backend(s) unavailable: "
              + String.join(", ", page.unavailableBackends())
              + " (their keys are not listed)");
    }
  }

  /** Creating an L2 (or any key under a parent named in the form) and drawing a tenant's tree. */
  private void keysSection() {
    html.heading("Create a key", "create");
    if (keys == null) {
      html.paragraph("na", "KeyService " + NOT_AVAILABLE);
      return;
    }
    html.raw(new KeyForms(csrfToken).createForm("create-form", KeyTier.L2, null, ""));
    html.heading("Key hierarchy", "hierarchy");
    html.raw(
        "<form method='get' action='keystore' id='tree-form'>"
            + Html.input("Tenant", "tree", "", "tenant:acme")
                .replace("id='f-tree'", "id='tree-owner'")
            + "<input type='submit' value='Draw the hierarchy' id='tree-submit'></form>");
  }

  /**
   * @return the tags a user set, without the core's own {@code openkcm.*} tags (parent, saga,
   *     state, integrity)
   */
  static java.util.SortedMap<String, String> userTags(KeyMetadata m) {
    java.util.SortedMap<String, String> out = new java.util.TreeMap<>(m.tags());
    out.keySet().removeIf(k -> k.startsWith("openkcm."));
    return out;
  }

  private void migrateSection(SearchForm search) {
    html.heading("Migrate keys", "migrate");
    if (admin == null) {
      html.paragraph("na", "KeystoreAdmin " + NOT_AVAILABLE);
      return;
    }
    List<String> names = admin.backends().stream().map(BackendStatus::name).toList();
    html.raw(
        "<form method='post' id='migrate-form'>"
            + Html.hidden("action", "migrate")
            + Html.hidden("csrf", csrfToken)
            + search.fields()
            + Html.select("Target backend", "target", "", names, false)
            + "<label><input type='checkbox' name='force' value='true' id='migrate-force'> force: also onto a backend that"
            + " does not survive a restart (the keys are lost then)</label> "
            + "<input type='submit' value='Migrate matching keys' id='migrate-submit'></form>");
  }

  private static String millis(Duration d) {
    return d == null ? "" : String.valueOf(d.toMillis());
  }

  /** Runs the search filter of a migrate form; exposed for the plugin's POST handling. */
  static KeyFilter filterOf(SearchForm form) throws KeystoreException {
    return form.toFilter();
  }
}
