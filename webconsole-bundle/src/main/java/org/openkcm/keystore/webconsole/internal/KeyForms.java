package org.openkcm.keystore.webconsole.internal;

import java.util.Arrays;
import java.util.List;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;

/**
 * The action forms of the console. Each posts to the Keystore page with the page's CSRF token; the
 * console's request guard adds the session token and refuses cross-origin posts before the page
 * sees them.
 */
final class KeyForms {
  private final String csrfToken;

  KeyForms(String csrfToken) {
    this.csrfToken = csrfToken;
  }

  private String open(String id, String action, String back) {
    return "<form method='post' action='keystore' id='"
        + Html.attr(id)
        + "'>"
        + Html.hidden("action", action)
        + Html.hidden("csrf", csrfToken)
        + Html.hidden("back", back);
  }

  /** The actions of one key's page: rotate, tags/expiry, create a child, destroy. */
  void render(Html html, KeyMetadata latest) {
    String id = latest.id();
    html.heading("Actions", "actions");
    html.raw(
        open("rotate-form", "rotate", id)
            + Html.hidden("key", id)
            + "<input type='submit' value='Rotate (new ACTIVE version, the current one becomes"
            + " DEPRECATED)' id='rotate-submit'></form>");
    html.raw(
        scoped(
            "update-form",
            open("update-form", "updateKey", id)
                + Html.hidden("key", latest.ref())
                + "<p>Tags and expiry of "
                + Html.text(latest.ref())
                + "</p>"
                + textarea(
                    "Tags (one name=value a line)",
                    "tags",
                    FormValues.text(KeystorePage.userTags(latest)))
                + Html.input(
                    "Expires",
                    "expires",
                    latest.expiresAt().map(Object::toString).orElse(""),
                    "2027-12-31")
                + "<input type='submit' value='Update tags and expiry' id='update-submit'></form>"));
    if (latest.tier() != KeyTier.L4) {
      KeyTier child = latest.tier() == KeyTier.L2 ? KeyTier.L3 : KeyTier.L4;
      html.raw(createForm("create-child-form", child, id, latest.owner().toString()));
    }
    html.raw(
        open("destroy-form", "destroy", id)
            + Html.hidden("key", id)
            + "<p class='destroy-warning'><strong>Destroy</strong> crypto-shreds every version of "
            + Html.text(id)
            + ": data it protects can no longer be decrypted. Type the key id to confirm.</p>"
            + "<label>Key id <input type='text' name='confirm' id='destroy-confirm' autocomplete='off'"
            + " placeholder='"
            + Html.attr(id)
            + "'></label> <label><input type='checkbox' name='cascade' value='true'"
            + " id='destroy-cascade'> also destroy its children</label> "
            + "<input type='submit' value='Destroy' id='destroy-submit'></form>");
  }

  /** A create form: an L2 for an owner (no parent), or a child under {@code parent}. */
  String createForm(String formId, KeyTier tier, String parent, String owner) {
    boolean root = parent == null;
    return scoped(
        formId,
        open(formId, "createKey", root ? "" : parent)
            + "<p>"
            + Html.text(root ? "Create a key" : "Create an " + tier + " key under " + parent)
            + "</p>"
            + (root
                ? Html.select("Tier", "tier", "L2", Arrays.asList(KeyTier.values()), false)
                    + Html.input("Parent", "parent", "", "id of the L2/L3 parent")
                : Html.hidden("tier", tier) + Html.hidden("parent", parent))
            + Html.input("Owner", "owner", owner, "tenant:acme")
            + Html.input("Id", "id", "", "generated when empty")
            + Html.select(
                "Initial status",
                "status",
                "ACTIVE",
                List.of(KeyStatus.ACTIVE, KeyStatus.PRE_ACTIVE),
                false)
            + Html.input("Expires", "expires", "", "2027-12-31")
            + textarea("Tags (one name=value a line)", "tags", "")
            + "<input type='submit' value='Create' id='"
            + Html.attr(formId + "-submit")
            + "'></form>");
  }

  /** Field ids unique per form ({@code <form id>-<field>}), as several forms share field names. */
  private static String scoped(String formId, String markup) {
    return markup.replace("id='f-", "id='" + Html.attr(formId) + "-");
  }

  /** One version's status change: only the transitions the lifecycle allows are offered. */
  static String statusForm(String csrfToken, KeyMetadata m) {
    List<KeyStatus> next =
        m.status().allowedNext().stream().filter(s -> s != KeyStatus.DESTROYED).toList();
    if (next.isEmpty()) {
      return "";
    }
    String v = m.ref().toString();
    return new KeyForms(csrfToken).open("status-form-" + v, "changeStatus", m.id())
        + Html.hidden("key", v)
        + Html.select("to", "status", "", next, false)
            .replace("id='f-status'", "id='" + Html.attr("status-" + v) + "'")
        + "<input type='submit' value='Change' id='"
        + Html.attr("status-submit-" + v)
        + "'></form>";
  }

  private static String textarea(String label, String name, String value) {
    return "<label>"
        + Html.text(label)
        + " <textarea name='"
        + Html.attr(name)
        + "' id='"
        + Html.attr("f-" + name)
        + "' rows='2' cols='30'>"
        + Html.text(value)
        + "</textarea></label> ";
  }
}
