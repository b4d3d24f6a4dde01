package org.openkcm.keystore.spi;

import java.util.Arrays;
import java.util.Objects;
import org.openkcm.keystore.model.KeyMetadata;

/**
 * A stored record as a backend holds it: the metadata, the sealed (wrapped, encrypted) key bytes,
 * and the backend's revision of the record, used for optimistic concurrency on metadata updates.
 * The sealed bytes are opaque to the backend; {@link #toString()} never prints them.
 */
public final class KeyRecord {
  private final KeyMetadata metadata;
  private final byte[] sealed;
  private final long revision;

  public KeyRecord(KeyMetadata metadata, byte[] sealed, long revision) {
    this.metadata = Objects.requireNonNull(metadata, "metadata");
    this.sealed = Objects.requireNonNull(sealed, "sealed").clone();
    this.revision = revision;
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
