package org.openkcm.keystore.api;

import org.openkcm.keystore.model.KeyRef;

/**
 * Where one stored key version lives: the configured backend that holds it, the backend's revision
 * of the record and the length of its sealed bytes (never the bytes themselves).
 *
 * @since 1.2
 */
public record KeyLocation(KeyRef ref, String backend, long revision, int sealedLength) {}
