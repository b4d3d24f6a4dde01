package org.openkcm.keystore.core.internal.keys;

import java.util.Map;
import java.util.TreeMap;
import org.openkcm.keystore.model.InvalidKeyRequestException;

/**
 * Tags the core writes itself, under the reserved prefix {@value #PREFIX}: the parent id (so
 * children are found with an ordinary tag filter, pushed down to backends) and the saga intent of
 * an unfinished multi-step operation (read by the reconciler). Callers may neither set nor remove
 * them.
 */
final class ReservedTags {
  static final String PREFIX = "openkcm.";
  static final String PARENT = PREFIX + "parent";
  static final String SAGA = PREFIX + "saga";
  static final String SAGA_ROTATE = "rotate-from:";
  static final String SAGA_DESTROY = "destroy";

  private ReservedTags() {}

  /**
   * Room kept for the core's own tags (parent, saga intent, state MAC) within {@code
   * Limits.MAX_TAGS}.
   */
  static final int RESERVED_ROOM = 3;

  static void checkCallerTags(Map<String, String> tags) throws InvalidKeyRequestException {
    if (tags.size() > org.openkcm.keystore.model.Limits.MAX_TAGS - RESERVED_ROOM) {
      throw new InvalidKeyRequestException(
          "tags",
          "at most "
              + (org.openkcm.keystore.model.Limits.MAX_TAGS - RESERVED_ROOM)
              + " tags per key ("
              + RESERVED_ROOM
              + " of "
              + org.openkcm.keystore.model.Limits.MAX_TAGS
              + " are kept for the core), got "
              + tags.size());
    }
    for (String k : tags.keySet()) {
      if (k != null && k.startsWith(PREFIX)) {
        throw new InvalidKeyRequestException(
            "tags", "tag names starting with '" + PREFIX + "' are reserved, got '" + k + "'");
      }
    }
  }

  /**
   * @return the caller's new tags plus the reserved tags the record already carries
   */
  static Map<String, String> merge(Map<String, String> callerTags, Map<String, String> current) {
    Map<String, String> out = new TreeMap<>(callerTags);
    current.forEach(
        (k, v) -> {
          if (k.startsWith(PREFIX)) {
            out.put(k, v);
          }
        });
    return out;
  }
}
