package org.openkcm.keystore.model;

import java.util.List;
import java.util.Optional;

/**
 * One page of a listing, in (id, version) order, and the opaque cursor of the next page when there
 * may be more.
 */
public final class Page<T> {
    private final List<T> items;
    private final String nextCursor;

    public Page(List<T> items, String nextCursor) {
        this.items = List.copyOf(items);
        this.nextCursor = nextCursor;
    }

    public List<T> items() {
        return items;
    }

    /** @return the cursor to pass to {@link KeyFilter.Builder#cursor(String)} for the next page, if any. */
    public Optional<String> nextCursor() {
        return Optional.ofNullable(nextCursor);
    }

    @Override
    public String toString() {
        return "Page[" + items.size() + " items" + (nextCursor != null ? ", more" : "") + "]";
    }
}
