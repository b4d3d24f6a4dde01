package org.openkcm.keystore.webconsole.internal;

import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Outcomes of console actions, kept until the redirected page shows them once. Keyed by a random id
 * so a link cannot make the page display text of someone else's choosing; bounded so nothing piles
 * up.
 */
final class ActionResults {
  private static final int MAX = 64;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, String> pending =
      new LinkedHashMap<>(16, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
          return size() > MAX;
        }
      };

  synchronized String put(String outcome) {
    String id = Long.toHexString(random.nextLong() & Long.MAX_VALUE);
    pending.put(id, outcome);
    return id;
  }

  /**
   * @return the outcome once, or null
   */
  synchronized String take(String id) {
    return id == null ? null : pending.remove(id);
  }
}
