package org.openkcm.keystore.core.internal.keys;

import org.openkcm.keystore.spi.KeyRecord;
import org.openkcm.keystore.spi.Keystore;

/** A record together with the backend it was read from. */
record Located(Keystore keystore, KeyRecord record) {
  String backend() {
    return keystore.info().name();
  }
}
