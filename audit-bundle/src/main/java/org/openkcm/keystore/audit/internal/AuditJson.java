package org.openkcm.keystore.audit.internal;

import java.util.Optional;
import org.openkcm.keystore.audit.OperationEvent;

/**
 * The fields of one entry as JSON members (without the braces, the sequence number and the chain),
 * in a fixed order. Only the event's names and identities are written, each capped in length.
 */
final class AuditJson {
  private static final int MAX_FIELD = 512;

  private AuditJson() {}

  static String fields(OperationEvent e) {
    StringBuilder b = new StringBuilder(256);
    string(b, "time", e.time().toString());
    optional(b, "actor", e.actor());
    optional(b, "bundle", e.bundle());
    string(b, "op", e.operation());
    optional(b, "key", e.keyId());
    if (e.version() > 0) {
      b.append(",\"version\":").append(e.version());
    }
    optional(b, "tier", e.tier());
    optional(b, "owner", e.owner());
    optional(b, "backend", e.backend());
    optional(b, "subject", e.subject());
    string(b, "outcome", e.outcome());
    b.append(",\"duration_us\":").append(e.durationNanos() / 1000);
    return b.toString();
  }

  private static void optional(StringBuilder b, String name, Optional<String> value) {
    value.ifPresent(v -> string(b, name, v));
  }

  private static void string(StringBuilder b, String name, String value) {
    if (b.length() > 0) {
      b.append(',');
    }
    b.append('"').append(name).append("\":\"");
    int n = Math.min(value.length(), MAX_FIELD);
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        default -> {
          if (c < 0x20 || c == 0x7f || Character.isSurrogate(c)) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }
}
