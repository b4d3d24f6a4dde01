package org.openkcm.keystore.spi;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import org.openkcm.keystore.model.KeyMetadata;

/**
 * A stored record as a backend holds it: the metadata, the sealed (wrapped, encrypted) key bytes,
 * and the backend's revision of the record, used for optimistic concurrency on metadata updates.
 * The sealed bytes are opaque to the backend; {@link #toString()} never prints them.
 *
 * <p>A backend that can may also report the <em>write time</em> of the revision: when the revision
 * was written, as the storage server itself assigned it (OpenBao KV v2: the version's {@code
 * created_time}; PostgreSQL: a column a trigger sets to {@code now()}), never a value the writer
 * sent. The core refuses a record whose write time is later than the time its authenticated state
 * was written (plus a tolerance), which detects an old copy written again (docs/crypto.md).
 */
public final class KeyRecord {
  private final KeyMetadata metadata;
  private final byte[] sealed;
  private final long revision;
  private final Instant writtenAt;

  /** A record whose backend does not report write times. */
  public KeyRecord(KeyMetadata metadata, byte[] sealed, long revision) {
    this(metadata, sealed, revision, null);
  }

  /**
   * @param writtenAt when the storage server wrote this revision, by its own clock; {@code null} if
   *     the backend does not know (never a time taken from the written data)
   * @since spi 1.2
   */
  public KeyRecord(KeyMetadata metadata, byte[] sealed, long revision, Instant writtenAt) {
    this.metadata = Objects.requireNonNull(metadata, "metadata");
    this.sealed = Objects.requireNonNull(sealed, "sealed").clone();
    this.revision = revision;
    this.writtenAt = writtenAt;
  }

  public KeyMetadata metadata() {
    return metadata;
  }

  /**
   * @return a copy of the sealed bytes.
   */
  public byte[] sealed() {
    return sealed.clone();
  }

  /**
   * @return the length of the sealed bytes without copying them.
   */
  public int sealedLength() {
    return sealed.length;
  }

  /**
   * @return the backend's revision of this record (e.g. the OpenBao KV v2 version), starting at 1.
   */
  public long revision() {
    return revision;
  }

  /**
   * @return when the storage server wrote this revision, by its own clock, if the backend reports
   *     it
   * @since spi 1.2
   */
  public Optional<Instant> writtenAt() {
    return Optional.ofNullable(writtenAt);
  }

  /**
   * @return this record with other metadata, same sealed bytes, revision and write time
   * @since spi 1.2
   */
  public KeyRecord withMetadata(KeyMetadata other) {
    return new KeyRecord(other, sealed, revision, writtenAt);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyRecord r
        && r.revision == revision
        && r.metadata.equals(metadata)
        && Arrays.equals(r.sealed, sealed);
  }

  @Override
  public int hashCode() {
    return Objects.hash(metadata.ref(), revision);
  }

  @Override
  public String toString() {
    return "KeyRecord["
        + metadata.ref()
        + " rev "
        + revision
        + ", "
        + sealed.length
        + " sealed bytes]";
  }
}
