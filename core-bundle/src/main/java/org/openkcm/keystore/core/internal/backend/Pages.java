package org.openkcm.keystore.core.internal.backend;

import java.util.ArrayList;
import java.util.List;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Limits;
import org.openkcm.keystore.model.Page;

/**
 * The one way the core walks a listing to its end: pages of the filter's page size (the core's own
 * walks ask for {@link Limits#MAX_PAGE_SIZE}), each continued from the previous page's {@linkplain
 * Page#nextCursor() cursor} (never from a record the caller picked), stopping at the first page
 * without a cursor or without items.
 */
public final class Pages {

  /** Where pages come from: a backend, or the merged listing of several. */
  @FunctionalInterface
  public interface Source {
    Page<KeyMetadata> list(KeyFilter filter) throws KeystoreException;
  }

  /** What is done with each listed record; {@code false} stops the walk. */
  @FunctionalInterface
  public interface Visitor {
    boolean visit(KeyMetadata m) throws KeystoreException;
  }

  private Pages() {}

  /**
   * @param maxPages the most pages read, {@code Integer.MAX_VALUE} for all
   * @return {@code true} if the listing was walked to its end, {@code false} if the visitor stopped
   *     it or {@code maxPages} were read before the end
   */
  public static boolean walk(Source source, KeyFilter filter, int maxPages, Visitor each)
      throws KeystoreException {
    KeyFilter page = filter;
    for (int read = 0; read < maxPages; read++) {
      Page<KeyMetadata> p = source.list(page);
      for (KeyMetadata m : p.items()) {
        if (!each.visit(m)) {
          return false;
        }
      }
      if (p.nextCursor().isEmpty() || p.items().isEmpty()) {
        return true;
      }
      page = filter.withCursor(p.nextCursor().orElseThrow());
    }
    return false;
  }

  /**
   * @return every record the listing holds, in (id, version) order, read in pages of {@link
   *     Limits#MAX_PAGE_SIZE}
   */
  public static List<KeyMetadata> all(Source source, KeyFilter filter) throws KeystoreException {
    List<KeyMetadata> out = new ArrayList<>();
    walk(source, filter.withPageSize(Limits.MAX_PAGE_SIZE), Integer.MAX_VALUE, out::add);
    return out;
  }
}
