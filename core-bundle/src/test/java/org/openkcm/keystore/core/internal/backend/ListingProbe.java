package org.openkcm.keystore.core.internal.backend;

import java.util.List;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.spi.Keystore;

/** Lets tests of other packages list the way the directory does. */
public final class ListingProbe {
  private ListingProbe() {}

  public static Page<KeyMetadata> list(List<? extends Keystore> backends, KeyFilter filter)
      throws KeystoreException {
    return MergedListing.list(backends, filter);
  }
}
