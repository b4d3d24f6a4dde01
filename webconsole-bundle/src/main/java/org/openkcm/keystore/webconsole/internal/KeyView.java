package org.openkcm.keystore.webconsole.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.openkcm.keystore.api.KeyLocation;
import org.openkcm.keystore.api.KeyService;
import org.openkcm.keystore.api.KeystoreAdmin;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Limits;
import org.openkcm.keystore.model.Page;

/**
 * The page of one key ({@code keystore?key=<id>}): every version with its status, dates, tags, the
 * backend holding it, its revision there and its key check value; the parent chain up to the root
 * key; the children; and the key's actions. Metadata only: material never reaches the page.
 */
final class KeyView {
  private final Html html;
  private final KeyService keys;
  private final KeystoreAdmin admin;
  private final String csrfToken;

  KeyView(Html html, KeyService keys, KeystoreAdmin admin, String csrfToken) {
    this.html = html;
    this.keys = keys;
    this.admin = admin;
    this.csrfToken = csrfToken;
  }

  void render(String flash, String keyId) {
    html.raw("<div id='openkcm-keystore'><p><a id='back' href='keystore'>&larr; Keystore</a></p>");
    if (flash != null) {
      html.raw("<div id='result' class='ui-state-highlight'>")
          .paragraph("result", flash)
          .raw("</div>");
    }
    html.heading("Key " + keyId, "key-heading");
    if (keys == null) {
      html.paragraph("na", "KeyService " + KeystorePage.NOT_AVAILABLE);
    } else if (!Limits.isValidId(keyId)) {
      html.paragraph("error", "Not a key id: " + Limits.printable(keyId));
    } else {
      try {
        sections(keyId);
      } catch (KeystoreException e) {
        html.paragraph("error", "Key " + keyId + " could not be read: " + e.getMessage());
      }
    }
    html.raw("</div>");
  }

  private void sections(String keyId) throws KeystoreException {
    Page<KeyMetadata> page = keys.list(KeyListings.versionsOf(keyId));
    KeystorePage.partialNotice(html, page);
    List<KeyMetadata> versions = new ArrayList<>(page.items());
    versions.sort(Comparator.comparingInt(KeyMetadata::version).reversed());
    if (versions.isEmpty()) {
      html.paragraph("error", "Key " + keyId + " is in no reachable backend");
      return;
    }
    KeyMetadata latest = versions.get(0);
    html.tableStart("key-summary", "Tier", "Owner", "Algorithm", "Versions");
    html.row(
        latest.tier(),
        latest.owner(),
        latest.algorithm() + "-" + latest.keySize(),
        versions.size());
    html.tableEnd();
    versionsSection(versions);
    html.paragraph(
        "history",
        "Status history: each version stores its current status and when it last changed"
            + " (Updated); earlier transitions are not stored with the key.");
    parentChain(latest);
    children(latest);
    new KeyForms(csrfToken).render(html, latest);
  }

  private void versionsSection(List<KeyMetadata> versions) {
    html.heading("Versions", "versions");
    html.tableStart(
        "version-table",
        "Version",
        "Status",
        "Created",
        "Updated",
        "Expires",
        "Tags",
        "Backend",
        "Revision",
        "Check value",
        "Change status");
    for (KeyMetadata m : versions) {
      String backend;
      String revision;
      try {
        KeyLocation l = admin == null ? null : admin.locate(m.ref());
        backend = l == null ? KeystorePage.NOT_AVAILABLE : l.backend();
        revision = l == null ? "" : l.revision() + " (" + l.sealedLength() + " sealed bytes)";
      } catch (KeystoreException | UnsupportedOperationException e) {
        backend = "not known: " + e.getMessage();
        revision = "";
      }
      html.rowWithMarkup(
          KeyForms.statusForm(csrfToken, m),
          m.ref(),
          m.status(),
          m.createdAt(),
          m.updatedAt(),
          m.expiresAt().map(Object::toString).orElse("never"),
          KeystorePage.userTags(m),
          backend,
          revision,
          KeyCheckValue.of(keys, m));
    }
    html.tableEnd();
  }

  private void parentChain(KeyMetadata key) {
    html.heading("Parent chain", "parents");
    StringBuilder b = new StringBuilder("<p id='parent-chain'>").append(link(key.ref()));
    KeyMetadata at = key;
    for (int depth = 0; depth < 3 && at.parent().isPresent(); depth++) {
      KeyRef parent = at.parent().get();
      b.append(" &rarr; ").append(link(parent));
      try {
        at = keys.metadata(parent);
      } catch (KeystoreException e) {
        b.append(" (").append(Html.text(e.getMessage())).append(')');
        break;
      }
    }
    if (at.parent().isEmpty()) {
      b.append(" &rarr; root key");
    }
    html.raw(b.append("</p>").toString());
  }

  private void children(KeyMetadata key) throws KeystoreException {
    html.heading("Children", "children");
    if (key.tier() == org.openkcm.keystore.model.KeyTier.L4) {
      html.paragraph("children-none", "An L4 key wraps no keys.");
      return;
    }
    Page<KeyMetadata> page = keys.list(KeyListings.childrenOf(key));
    KeystorePage.partialNotice(html, page);
    html.tableStart("children-table", "Key", "Tier", "Status", "Owner", "Wrapped by");
    for (KeyMetadata c : page.items()) {
      html.raw("<tr><td>" + link(c.ref()) + "</td>");
      html.raw("<td>" + Html.text(c.tier()) + "</td><td>" + Html.text(c.status()) + "</td>");
      html.raw(
          "<td>"
              + Html.text(c.owner())
              + "</td><td>"
              + Html.text(c.parent().orElse(null))
              + "</td></tr>");
    }
    html.tableEnd();
    if (page.nextCursor().isPresent()) {
      html.paragraph("children-more", "More children exist than this page shows.");
    }
  }

  static String link(KeyRef ref) {
    return "<a class='key-link' href='keystore?key="
        + Html.attr(Html.uri(ref.id()))
        + "'>"
        + Html.text(ref)
        + "</a>";
  }
}
