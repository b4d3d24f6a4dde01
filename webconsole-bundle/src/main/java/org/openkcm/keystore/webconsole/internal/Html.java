package org.openkcm.keystore.webconsole.internal;

import java.io.PrintWriter;
import org.owasp.encoder.Encode;

/** Small HTML writer: every piece of text goes through the OWASP encoder for its context. */
final class Html {
  private final PrintWriter out;

  Html(PrintWriter out) {
    this.out = out;
  }

  static String text(Object value) {
    return Encode.forHtml(value == null ? "" : String.valueOf(value));
  }

  static String attr(Object value) {
    return Encode.forHtmlAttribute(value == null ? "" : String.valueOf(value));
  }

  static String uri(Object value) {
    return Encode.forUriComponent(value == null ? "" : String.valueOf(value));
  }

  Html raw(String markup) {
    out.print(markup);
    return this;
  }

  Html heading(String title, String id) {
    out.print("<h2 id='" + attr(id) + "' class='ui-widget-header'>" + text(title) + "</h2>");
    return this;
  }

  Html paragraph(String cssClass, Object value) {
    out.print("<p class='" + attr(cssClass) + "'>" + text(value) + "</p>");
    return this;
  }

  Html tableStart(String id, String... headers) {
    out.print("<table id='" + attr(id) + "' class='tablesorter nicetable'><thead><tr>");
    for (String h : headers) {
      out.print("<th>" + text(h) + "</th>");
    }
    out.print("</tr></thead><tbody>");
    return this;
  }

  /** A row of plain text cells. */
  Html row(Object... cells) {
    out.print("<tr>");
    for (Object c : cells) {
      out.print("<td>" + text(c) + "</td>");
    }
    out.print("</tr>");
    return this;
  }

  /** A row whose last cell is pre-built markup (e.g. a form); the other cells are encoded text. */
  Html rowWithMarkup(String markup, Object... cells) {
    out.print("<tr>");
    for (Object c : cells) {
      out.print("<td>" + text(c) + "</td>");
    }
    out.print("<td>" + markup + "</td></tr>");
    return this;
  }

  /** A row whose first cell is pre-built markup (e.g. a link); the other cells are encoded text. */
  Html rowLeadingMarkup(String markup, Object... cells) {
    out.print("<tr><td>" + markup + "</td>");
    for (Object c : cells) {
      out.print("<td>" + text(c) + "</td>");
    }
    out.print("</tr>");
    return this;
  }

  Html tableEnd() {
    out.print("</tbody></table>");
    return this;
  }

  static String hidden(String name, Object value) {
    return "<input type='hidden' name='" + attr(name) + "' value='" + attr(value) + "'>";
  }

  static String input(String label, String name, Object value, String placeholder) {
    return "<label>"
        + text(label)
        + " <input type='text' name='"
        + attr(name)
        + "' id='"
        + attr("f-" + name)
        + "' value='"
        + attr(value)
        + "' placeholder='"
        + attr(placeholder)
        + "'></label> ";
  }

  static String select(String label, String name, Object selected, Iterable<?> options) {
    return select(label, name, selected, options, true);
  }

  /**
   * @param anyOption whether an empty "any" choice comes first (search criteria) or a value is
   *     required
   */
  static String select(
      String label, String name, Object selected, Iterable<?> options, boolean anyOption) {
    StringBuilder b =
        new StringBuilder(
            "<label>"
                + text(label)
                + " <select name='"
                + attr(name)
                + "' id='"
                + attr("f-" + name)
                + "'>"
                + (anyOption ? "<option value=''>any</option>" : ""));
    for (Object o : options) {
      String v = String.valueOf(o);
      b.append("<option value='")
          .append(attr(v))
          .append('\'')
          .append(v.equals(String.valueOf(selected)) ? " selected" : "")
          .append('>')
          .append(text(v))
          .append("</option>");
    }
    return b.append("</select></label> ").toString();
  }
}
