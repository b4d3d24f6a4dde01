package org.openkcm.keystore.model;

import java.util.Objects;

/**
 * Identity of one stored record: a key id and a version (from 1). Ordered by id, then version,
 * which is the order every backend lists in.
 */
public final class KeyRef implements Comparable<KeyRef> {
  private final String id;
  private final int version;

  private KeyRef(String id, int version) {
    this.id = id;
    this.version = version;
  }

  /**
   * @throws InvalidKeyRequestException if the id breaks {@link Limits#checkId} (path tricks
   *     included) or the version is below 1
   */
  public static KeyRef of(String id, int version) throws InvalidKeyRequestException {
    Limits.checkId("keyId", id);
    if (version < 1) {
      throw new InvalidKeyRequestException("version", "must be 1 or more, was " + version);
    }
    return new KeyRef(id, version);
  }

  /** Parses {@code id} or {@code id@version} (version 1 when absent), e.g. from the shell. */
  public static KeyRef parse(String text) throws InvalidKeyRequestException {
    if (text == null) {
      throw new InvalidKeyRequestException("keyId", "is required");
    }
    int at = text.lastIndexOf('@');
    if (at < 0) {
      return of(text, 1);
    }
    try {
      return of(text.substring(0, at), Integer.parseInt(text.substring(at + 1)));
    } catch (NumberFormatException e) {
      throw new InvalidKeyRequestException(
          "version", "'" + Limits.printable(text.substring(at + 1)) + "' is not a number");
    }
  }

  public String id() {
    return id;
  }

  public int version() {
    return version;
  }

  /**
   * @return the same id at another version.
   */
  public KeyRef withVersion(int newVersion) throws InvalidKeyRequestException {
    return of(id, newVersion);
  }

  @Override
  public int compareTo(KeyRef o) {
    int c = id.compareTo(o.id);
    return c != 0 ? c : Integer.compare(version, o.version);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyRef k && k.version == version && k.id.equals(id);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, version);
  }

  /** {@code id@version}; ids hold no secrets. */
  @Override
  public String toString() {
    return id + "@" + version;
  }
}
