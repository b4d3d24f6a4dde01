package org.openkcm.keystore.webconsole.internal;

import org.openkcm.keystore.model.Limits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place every console action is recorded, after it ran: who, from where, what, on which
 * key, and the outcome. It logs a line today; an audit log hooks in here, so every console door
 * (key actions, re-check, migrate) is accounted for by the same call. Outcomes name keys and
 * backends, never material.
 */
final class ActionLog {
  private static final Logger LOG = LoggerFactory.getLogger(ActionLog.class);

  /** One console action as performed. {@code key} is empty for actions on no key. */
  record Entry(
      String actor, String address, String action, String key, boolean ok, String outcome) {}

  void record(Entry e) {
    LOG.info(
        "Console action {} on '{}' by {} from {}: {} - {}",
        Limits.printable(e.action()),
        Limits.printable(e.key()),
        Limits.printable(e.actor()),
        e.address(),
        e.ok() ? "done" : "refused",
        clean(e.outcome()));
  }

  /** Log-safe: no line breaks or control characters an outcome could forge log lines with. */
  static String clean(String s) {
    String t = s == null ? "" : s.replaceAll("[\\p{Cntrl}]", "?");
    return t.length() > 400 ? t.substring(0, 400) + "..." : t;
  }
}
