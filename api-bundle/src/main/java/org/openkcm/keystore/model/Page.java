package org.openkcm.keystore.model;

import java.util.List;
import java.util.Optional;

/**
 * One page of a listing, in (id, version) order, and the opaque cursor of the next page when there
 * may be more. A listing across several backends that could not reach all of them is
 * <em>partial</em>: it holds what the reachable backends hold and names the unavailable ones.
 */
public final class Page<T> {
  private final List<T> items;
  private final String nextCursor;
  private final List<String> unavailableBackends;

  public Page(List<T> items, String nextCursor) {
    this(items, nextCursor, List.of());
  }

  /** A page that lacks the records of {@code unavailableBackends} (empty: complete). */
  public Page(List<T> items, String nextCursor, List<String> unavailableBackends) {
    this.items = List.copyOf(items);
    this.nextCursor = nextCursor;
    this.unavailableBackends = List.copyOf(unavailableBackends);
  }

  /**
   * @return the backends that could not be listed: their records are missing from this page
   */
  public List<String> unavailableBackends() {
    return unavailableBackends;
  }

  /**
   * @return whether some backend could not be listed (see {@link #unavailableBackends()})
   */
  public boolean partial() {
    return !unavailableBackends.isEmpty();
  }

  public List<T> items() {
    return items;
  }

  /**
   * @return the cursor to pass to {@link KeyFilter.Builder#cursor(String)} for the next page, if
   *     any.
   */
  public Optional<String> nextCursor() {
    return Optional.ofNullable(nextCursor);
  }

  @Override
  public String toString() {
    return "Page["
        + items.size()
        + " items"
        + (nextCursor != null ? ", more" : "")
        + (unavailableBackends.isEmpty()
            ? ""
            : ", partial: " + unavailableBackends + " unavailable")
        + "]";
  }
}
