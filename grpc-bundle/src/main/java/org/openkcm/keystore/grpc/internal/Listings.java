package org.openkcm.keystore.grpc.internal;

import java.util.ArrayList;
import java.util.List;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Page;

/**
 * Listing restricted to the owners a client may see. A filter naming a foreign owner gets an empty
 * page (as if that owner had no keys); otherwise items of foreign owners are dropped from each
 * page, which may then hold fewer than the page size while the cursor still moves on.
 */
final class Listings {
  /**
   * Where the unrestricted listing comes from (the crypto core's, or the routed record store's).
   */
  interface Source {
    Page<KeyMetadata> list(KeyFilter filter) throws KeystoreException;
  }

  /** One visible page; {@code unavailableBackends} names the backends whose keys it lacks. */
  record Visible(
      List<org.openkcm.keystore.proto.v1.KeyMetadata> items,
      String nextCursor,
      List<String> unavailableBackends) {}

  private final Source source;

  Listings(Source source) {
    this.source = source;
  }

  Visible list(ClientGrant grant, KeyFilter filter) throws KeystoreException {
    if (filter.owner().isPresent() && !grant.owns(filter.owner().get())) {
      return new Visible(List.of(), "", List.of());
    }
    Page<KeyMetadata> page = source.list(filter);
    List<org.openkcm.keystore.proto.v1.KeyMetadata> out = new ArrayList<>();
    for (KeyMetadata m : page.items()) {
      if (grant.owns(m.owner())) {
        out.add(ProtoModel.metadata(m));
      }
    }
    return new Visible(out, page.nextCursor().orElse(""), page.unavailableBackends());
  }
}
