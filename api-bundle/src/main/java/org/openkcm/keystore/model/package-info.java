/**
 * The shared vocabulary of callers and backends: key identity, the standard metadata every backend
 * persists, the list filter with its cursor, and the checked exception hierarchy.
 *
 * <p>All validation of ids, metadata and filters happens here, once, in the factories and builders:
 * an instance of these types is always within the limits every backend can hold (the tightest being
 * OpenBao's {@code custom_metadata}: 64 pairs, keys of at most 128 bytes, printable values of at
 * most 512 bytes).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.3.0")
package org.openkcm.keystore.model;
