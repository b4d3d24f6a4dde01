package org.openkcm.keystore.webconsole.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.openkcm.keystore.api.KeyService;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.model.Page;

/**
 * The hierarchy of one tenant ({@code keystore?tree=tenant:acme}) drawn as server-side SVG: its L2
 * keys, their L3 children, theirs L4, one box per key coloured by the status of its newest version,
 * each a link to the key's page. No script and nothing fetched from elsewhere.
 */
final class HierarchyView {
  static final int MAX_NODES = 600;
  private static final int ROW = 30;
  private static final int BOX_W = 210;
  private static final int BOX_H = 22;
  private static final int[] COLUMN_X = {10, 290, 570};

  private final Html html;
  private final KeyService keys;
  private final List<String> unavailable = new ArrayList<>();
  private boolean truncated;
  private int nodes;

  HierarchyView(Html html, KeyService keys) {
    this.html = html;
    this.keys = keys;
  }

  /** One key of the tree: its newest version's metadata and its children. */
  record Node(KeyMetadata key, List<Node> children) {}

  void render(String ownerText) {
    html.raw("<div id='openkcm-keystore'><p><a id='back' href='keystore'>&larr; Keystore</a></p>");
    html.heading("Key hierarchy of " + ownerText, "tree-heading");
    html.raw(
        "<form method='get' action='keystore' id='tree-form'>"
            + Html.input("Tenant", "tree", ownerText, "tenant:acme")
            + "<input type='submit' value='Draw' id='tree-submit'></form>");
    if (keys == null) {
      html.paragraph("na", "KeyService " + KeystorePage.NOT_AVAILABLE);
    } else {
      try {
        List<Node> roots = level(keys.list(KeyListings.tenantKeys(Owner.parse(ownerText))));
        KeystorePage.partialNotice(html, new Page<>(List.of(), null, unavailable));
        if (truncated) {
          html.paragraph("truncated", "Only the first " + MAX_NODES + " keys are drawn.");
        }
        html.raw(HierarchySvg.draw(roots));
      } catch (KeystoreException e) {
        html.paragraph("error", "The hierarchy could not be read: " + e.getMessage());
      }
    }
    html.raw("</div>");
  }

  private List<Node> level(Page<KeyMetadata> page) throws KeystoreException {
    page.unavailableBackends().stream()
        .filter(b -> !unavailable.contains(b))
        .forEach(unavailable::add);
    truncated |= page.nextCursor().isPresent();
    List<Node> out = new ArrayList<>();
    for (KeyMetadata newest : newestVersions(page.items()).values()) {
      if (nodes >= MAX_NODES) {
        truncated = true;
        break;
      }
      nodes++;
      List<Node> children =
          newest.tier() == org.openkcm.keystore.model.KeyTier.L4
              ? List.of()
              : level(keys.list(KeyListings.childrenOf(newest)));
      out.add(new Node(newest, children));
    }
    return out;
  }

  /** The newest version of each key id, in id order; keys that are only tombstones included. */
  static Map<String, KeyMetadata> newestVersions(List<KeyMetadata> versions) {
    Map<String, KeyMetadata> out = new LinkedHashMap<>();
    for (String id : new TreeSet<>(versions.stream().map(KeyMetadata::id).toList())) {
      versions.stream()
          .filter(m -> m.id().equals(id))
          .max(java.util.Comparator.comparingInt(KeyMetadata::version))
          .ifPresent(m -> out.put(id, m));
    }
    return out;
  }

  static String colour(KeyStatus s) {
    return switch (s) {
      case ACTIVE -> "#4caf50";
      case PRE_ACTIVE -> "#90caf9";
      case PENDING -> "#ce93d8";
      case SUSPENDED -> "#ff9800";
      case DEPRECATED -> "#fdd835";
      case RETIRED -> "#9e9e9e";
      case COMPROMISED -> "#e53935";
      case DESTROYED -> "#424242";
    };
  }

  static int rows(Node n) {
    return n.children().isEmpty() ? 1 : n.children().stream().mapToInt(HierarchyView::rows).sum();
  }

  static int row() {
    return ROW;
  }

  static int boxWidth() {
    return BOX_W;
  }

  static int boxHeight() {
    return BOX_H;
  }

  static int columnX(int depth) {
    return COLUMN_X[Math.min(depth, COLUMN_X.length - 1)];
  }
}
