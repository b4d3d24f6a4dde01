package org.openkcm.keystore.core.internal.shell;

import java.util.Locale;
import org.openkcm.keystore.api.BackendStatus;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeystoreException;

/** Text forms for the shell. Metadata only; nothing here ever receives key material. */
final class Formats {
  static final String KEY_HEADER =
      String.format(
          "%-40s %-4s %-11s %-12s %-24s %s",
          "KEY@VERSION", "TIER", "STATUS", "ALGORITHM", "OWNER", "TAGS");

  private Formats() {}

  static String keyLine(KeyMetadata m) {
    return String.format(
        "%-40s %-4s %-11s %-12s %-24s %s",
        m.ref(),
        m.tier(),
        m.status(),
        m.algorithm() + "-" + m.keySize(),
        m.owner(),
        userTags(m).isEmpty() ? "" : userTags(m));
  }

  static String keyDetails(KeyMetadata m) {
    StringBuilder b = new StringBuilder();
    line(b, "key", m.ref().toString());
    line(b, "tier", m.tier().name());
    line(b, "status", m.status().name());
    line(b, "algorithm", m.algorithm() + "-" + m.keySize());
    line(b, "owner", m.owner().toString());
    line(b, "parent", m.parent().map(Object::toString).orElse("(root key)"));
    line(b, "created", m.createdAt().toString());
    line(b, "updated", m.updatedAt().toString());
    line(b, "expires", m.expiresAt().map(Object::toString).orElse("never"));
    line(b, "tags", userTags(m).isEmpty() ? "(none)" : userTags(m).toString());
    return b.toString();
  }

  /**
   * Tags under this prefix are the core's own (parent, saga intent, state MAC, integrity): never
   * shown as the user's.
   */
  static final String INTERNAL_TAG_PREFIX = "openkcm.";

  /**
   * @return the tags a user set: without the core's internal {@value #INTERNAL_TAG_PREFIX} tags
   */
  static java.util.SortedMap<String, String> userTags(KeyMetadata m) {
    java.util.SortedMap<String, String> out = new java.util.TreeMap<>(m.tags());
    out.keySet().removeIf(k -> k.startsWith(INTERNAL_TAG_PREFIX));
    return out;
  }

  static void line(StringBuilder b, String name, String value) {
    b.append(String.format("%-10s %s%n", name + ":", value));
  }

  static String backendHeader() {
    return String.format(
        "%-16s %-10s %-7s %-11s %-9s %-7s %s",
        "BACKEND", "CONFIGURED", "PRESENT", "STATE", "LATENCY", "KEYS", "DETAIL");
  }

  static String backendLine(BackendStatus s) {
    return String.format(
        "%-16s %-10s %-7s %-11s %-9s %-7s %s",
        s.name(),
        yes(s.configured()),
        yes(s.present()),
        s.state(),
        s.checkedAt() == null ? "-" : s.latency().toMillis() + "ms",
        s.keyCount() < 0 ? "?" : Long.toString(s.keyCount()),
        s.detail());
  }

  private static String yes(boolean b) {
    return b ? "yes" : "no";
  }

  /**
   * One clear line: the error's kind and its message (which names key and backend, never material).
   */
  static String error(KeystoreException e) {
    String kind = e.getClass().getSimpleName().replace("Exception", "");
    String hint =
        e instanceof BackendUnavailableException u && u.retryAfter().isPresent()
            ? " (retry after " + u.retryAfter().get().toMillis() + " ms)"
            : "";
    return "error: " + kind + ": " + e.getMessage() + hint;
  }

  static String hex(byte[] bytes, int count) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < Math.min(count, bytes.length); i++) {
      b.append(String.format(Locale.ROOT, "%02x", bytes[i]));
    }
    return b.toString();
  }
}
