package org.openkcm.keystore.core.internal.keys;

import java.util.Map;
import java.util.TreeMap;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.Limits;

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

  /**
   * A destroy intent a reconciler has claimed ({@link IntentClaims#claimDestroy}): a fixed value,
   * so the reconciler still finds it with a tag filter once the claimant's lease ran out.
   */
  static final String SAGA_DESTROY_CLAIMED = "destroy-claimed";

  private ReservedTags() {}

  /**
   * @return whether {@code tags} carry a destroy intent, claimed by a reconciler or not
   */
  static boolean isDestroying(Map<String, String> tags) {
    String saga = tags.get(SAGA);
    return SAGA_DESTROY.equals(saga) || SAGA_DESTROY_CLAIMED.equals(saga);
  }

  /**
   * Room kept for the core's own tags (parent, saga intent, state MAC) within {@code
   * Limits.MAX_TAGS}.
   */
  static final int RESERVED_ROOM = 3;

  static void checkCallerTags(Map<String, String> tags) throws InvalidKeyRequestException {
    if (tags.size() > Limits.MAX_TAGS - RESERVED_ROOM) {
      throw new InvalidKeyRequestException(
          "tags",
          "at most "
              + (Limits.MAX_TAGS - RESERVED_ROOM)
              + " tags per key ("
              + RESERVED_ROOM
              + " of "
              + Limits.MAX_TAGS
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
   * The one tag-limit policy of multi-step operations (rotation, destroy): their intent always goes
   * in, nothing is dropped to make room for it, neither the intent nor a caller's tag. Records the
   * core writes always have room ({@link #checkCallerTags} keeps {@value #RESERVED_ROOM} places for
   * the parent, the intent and the state tag); a record that has none (written outside these
   * limits) is refused before anything is written, and an operator removes a tag first.
   *
   * @param tags the record's tags, without the state tag (it is added when written)
   * @return {@code tags} with the saga intent set to {@code intent}
   * @throws InvalidKeyRequestException naming {@code tags} if the intent and the state tag do not
   *     fit within {@code Limits.MAX_TAGS}
   */
  static Map<String, String> withIntent(KeyRef ref, Map<String, String> tags, String intent)
      throws InvalidKeyRequestException {
    Map<String, String> out = new TreeMap<>(tags);
    out.put(SAGA, intent);
    if (out.size() + 1 > Limits.MAX_TAGS) {
      throw new InvalidKeyRequestException(
          "tags",
          "key "
              + ref
              + " carries "
              + tags.size()
              + " tags: no room for the core's intent and state tags within "
              + Limits.MAX_TAGS
              + "; remove a tag first");
    }
    return out;
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
