package org.openkcm.keystore.core.internal.backend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.openkcm.keystore.spi.Keystore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every registered {@link Keystore} service, grouped by its {@value Keystore#BACKEND_PROPERTY}
 * name. Per name the best service is the one with the highest {@code service.ranking}, then the
 * lowest {@code service.id} (the Sling ResourceProviderTracker order); when it leaves, the next one
 * takes over. Readers see an immutable snapshot (one volatile read per call); writers rebuild it
 * under the lock.
 *
 * <p>This class knows nothing about configuration: whether a name may be used at all is decided by
 * the routing table, so a service under an unconfigured name is tracked here only to be shown to
 * operators.
 */
final class BackendServices {
  private static final Logger LOG = LoggerFactory.getLogger(BackendServices.class);
  private static final Comparator<Candidate> ORDER =
      Comparator.comparingInt(Candidate::ranking)
          .reversed()
          .thenComparingLong(Candidate::serviceId);

  /**
   * Service property a backend sets to {@code true} when it runs in-process and never blocks: its
   * calls then run on the caller's thread ({@code plugins.inlineBackends} names further ones).
   */
  static final String INLINE_PROPERTY = "keystore.inline";

  /**
   * Service property: {@code true} says every wait in this backend's calls ends on an interrupt
   * (and is bounded by its own timeouts besides), so the core may call it on the caller's thread
   * and enforce the deadline by interrupting that thread ({@link Watchdog}), under the same limits
   * as its worker pool ({@link Bulkhead}). {@code plugins.workerBackends} overrides it.
   */
  static final String INTERRUPTIBLE_PROPERTY = "keystore.interruptible";

  /** One registered service. */
  record Candidate(
      String name,
      long serviceId,
      int ranking,
      long bundleId,
      Keystore service,
      boolean inline,
      boolean interruptible) {}

  private final Map<String, List<Candidate>> byName = new HashMap<>();
  private volatile Map<String, Candidate> best = Map.of();

  /** Adds or, for a known service id, re-ranks a service. */
  synchronized void put(Keystore service, Map<String, ?> props) {
    Candidate c = candidate(service, props);
    removeById(c.serviceId());
    if (c.name() == null) {
      LOG.warn(
          "Ignoring Keystore service {} from bundle {}: it has no '{}' property",
          c.serviceId(),
          c.bundleId(),
          Keystore.BACKEND_PROPERTY);
      publish();
      return;
    }
    byName.computeIfAbsent(c.name(), n -> new ArrayList<>()).add(c);
    byName.get(c.name()).sort(ORDER);
    publish();
  }

  synchronized void remove(Map<String, ?> props) {
    removeById(longProp(props.get("service.id"), -1));
    publish();
  }

  /**
   * @return the best service of that name now, or {@code null}
   */
  Keystore best(String name) {
    Candidate c = best.get(name);
    return c == null ? null : c.service();
  }

  /**
   * @return whether {@code service} is the best service of {@code name} and declares itself inline
   */
  boolean declaresInline(String name, Keystore service) {
    Candidate c = best.get(name);
    return c != null && c.service() == service && c.inline();
  }

  /**
   * @return whether {@code service} is the best service of {@code name} and declares that its calls
   *     end on an interrupt ({@value #INTERRUPTIBLE_PROPERTY})
   */
  boolean declaresInterruptible(String name, Keystore service) {
    Candidate c = best.get(name);
    return c != null && c.service() == service && c.interruptible();
  }

  Candidate bestCandidate(String name) {
    return best.get(name);
  }

  /**
   * Waits until a service of that name is present or the deadline passes; this is what carries a
   * caller across the gap of a bundle update (old service gone, new one not yet registered).
   *
   * @return the best service, or {@code null} if none arrived in time
   */
  Keystore await(String name, long deadlineNanos) throws InterruptedException {
    Keystore k = best(name);
    if (k != null) {
      return k;
    }
    synchronized (this) {
      while ((k = best(name)) == null) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
          return null;
        }
        wait(Math.max(1, left / 1_000_000), 0);
      }
      return k;
    }
  }

  /**
   * @return the names of every present service, configured or not
   */
  Set<String> presentNames() {
    return new TreeSet<>(best.keySet());
  }

  private void removeById(long serviceId) {
    byName.values().forEach(list -> list.removeIf(c -> c.serviceId() == serviceId));
    byName.values().removeIf(List::isEmpty);
  }

  private void publish() {
    Map<String, Candidate> next = new HashMap<>();
    byName.forEach((name, list) -> next.put(name, list.get(0)));
    Map<String, Candidate> previous = best;
    best = Map.copyOf(next);
    for (Map.Entry<String, Candidate> e : next.entrySet()) {
      Candidate old = previous.get(e.getKey());
      if (old == null || old.serviceId() != e.getValue().serviceId()) {
        Candidate c = e.getValue();
        LOG.info(
            "Backend '{}' is served by service {} (ranking {}) of bundle {}{}",
            c.name(),
            c.serviceId(),
            c.ranking(),
            c.bundleId(),
            old == null ? "" : ", replacing service " + old.serviceId());
      }
    }
    previous.keySet().stream()
        .filter(n -> !next.containsKey(n))
        .forEach(n -> LOG.warn("Backend '{}' has no Keystore service any more", n));
    notifyAll();
  }

  private static Candidate candidate(Keystore service, Map<String, ?> props) {
    Object name = props.get(Keystore.BACKEND_PROPERTY);
    String n = name instanceof String s && !s.isBlank() ? s.trim() : null;
    Object ranking = props.get("service.ranking");
    int r = ranking instanceof Integer i ? i : 0;
    return new Candidate(
        n,
        longProp(props.get("service.id"), -1),
        r,
        longProp(props.get("service.bundleid"), -1),
        service,
        flag(props.get(INLINE_PROPERTY)),
        flag(props.get(INTERRUPTIBLE_PROPERTY)));
  }

  private static boolean flag(Object value) {
    return Boolean.TRUE.equals(value) || "true".equals(String.valueOf(value));
  }

  private static long longProp(Object value, long fallback) {
    return value instanceof Number n ? n.longValue() : fallback;
  }
}
