package org.openkcm.keystore.webconsole.internal;

import java.util.List;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyStatus;

/**
 * Lays a key tree out as SVG: one column per tier, a leaf per row, a parent centred on its
 * children, lines from parent to child. All text is encoded; ids become links to the key pages.
 */
final class HierarchySvg {
  private static final int TOP = 40;

  private HierarchySvg() {}

  static String draw(List<HierarchyView.Node> roots) {
    int rows = Math.max(1, roots.stream().mapToInt(HierarchyView::rows).sum());
    int height = TOP + rows * HierarchyView.row() + 60;
    StringBuilder b =
        new StringBuilder(
                "<svg id='hierarchy' xmlns='http://www.w3.org/2000/svg' width='820' height='")
            .append(height)
            .append(
                "' font-family='sans-serif' font-size='12' role='img' aria-label='key hierarchy'>");
    String[] titles = {"L2 tenant keys", "L3 service keys", "L4 data keys"};
    for (int i = 0; i < titles.length; i++) {
      b.append("<text x='")
          .append(HierarchyView.columnX(i))
          .append("' y='20' font-weight='bold'>")
          .append(titles[i])
          .append("</text>");
    }
    if (roots.isEmpty()) {
      b.append("<text x='10' y='")
          .append(TOP + 15)
          .append("' id='tree-empty'>no keys for this owner</text>");
    }
    int row = 0;
    for (HierarchyView.Node n : roots) {
      node(b, n, 0, row);
      row += HierarchyView.rows(n);
    }
    legend(b, height - 25);
    return b.append("</svg>").toString();
  }

  /** Draws {@code n} whose subtree starts at {@code firstRow}; @return the box's centre y */
  private static int node(StringBuilder b, HierarchyView.Node n, int depth, int firstRow) {
    int y = TOP + (firstRow * 2 + HierarchyView.rows(n) - 1) * HierarchyView.row() / 2;
    int x = HierarchyView.columnX(depth);
    int row = firstRow;
    for (HierarchyView.Node c : n.children()) {
      int cy = node(b, c, depth + 1, row);
      row += HierarchyView.rows(c);
      b.append("<line x1='")
          .append(x + HierarchyView.boxWidth())
          .append("' y1='")
          .append(y)
          .append("' x2='")
          .append(HierarchyView.columnX(depth + 1))
          .append("' y2='")
          .append(cy)
          .append("' stroke='#777'/>");
    }
    KeyMetadata m = n.key();
    int top = y - HierarchyView.boxHeight() / 2;
    b.append("<a href='keystore?key=")
        .append(Html.attr(Html.uri(m.id())))
        .append("'>")
        .append("<g class='tree-node' id='")
        .append(Html.attr("node-" + m.id()))
        .append("' data-status='")
        .append(m.status())
        .append("'>")
        .append("<rect x='")
        .append(x)
        .append("' y='")
        .append(top)
        .append("' width='")
        .append(HierarchyView.boxWidth())
        .append("' height='")
        .append(HierarchyView.boxHeight())
        .append("' rx='4' fill='")
        .append(HierarchyView.colour(m.status()))
        .append("' stroke='#333'/>")
        .append("<text x='")
        .append(x + 6)
        .append("' y='")
        .append(top + 15)
        .append("' fill='")
        .append(dark(m.status()) ? "#fff" : "#000")
        .append("'>")
        .append(Html.text(shorten(m.ref() + " " + m.status())))
        .append("</text><title>")
        .append(Html.text(m.ref() + " " + m.status() + " " + m.owner()))
        .append("</title></g></a>");
    return y;
  }

  private static void legend(StringBuilder b, int y) {
    int x = 10;
    for (KeyStatus s : KeyStatus.values()) {
      b.append("<rect x='")
          .append(x)
          .append("' y='")
          .append(y)
          .append("' width='12' height='12' fill='")
          .append(HierarchyView.colour(s))
          .append("' stroke='#333'/><text x='")
          .append(x + 16)
          .append("' y='")
          .append(y + 11)
          .append("'>")
          .append(s)
          .append("</text>");
      x += 16 + s.name().length() * 8 + 12;
    }
  }

  private static boolean dark(KeyStatus s) {
    return s == KeyStatus.DESTROYED || s == KeyStatus.COMPROMISED;
  }

  private static String shorten(String s) {
    return s.length() > 32 ? s.substring(0, 29) + "..." : s;
  }
}
