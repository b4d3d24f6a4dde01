package org.openkcm.keystore.core.internal.cache;

import org.openkcm.keystore.spi.KeyRecord;

/**
 * A sealed-layer entry: the record as the backend returned it, where it lives, and when it was
 * read.
 */
public record SealedEntry(KeyRecord record, String backend, long loadedAtNanos) {}
