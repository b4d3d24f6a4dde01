package org.openkcm.keystore.spi;

import java.util.Objects;

/**
 * What a backend offers: its name (equal to its {@link Keystore#BACKEND_PROPERTY} service
 * property), whether it survives a restart, and the largest sealed record it accepts.
 */
public final class BackendInfo {
  private final String name;
  private final boolean persistent;
  private final int maxRecordBytes;
  private final String description;

  public BackendInfo(String name, boolean persistent, int maxRecordBytes, String description) {
    this.name = Objects.requireNonNull(name, "name");
    this.persistent = persistent;
    this.maxRecordBytes = maxRecordBytes;
    this.description = description == null ? "" : description;
  }

  public String name() {
    return name;
  }

  /**
   * @return whether stored records survive a restart of the runtime (InMemory: no; OpenBao: yes).
   */
  public boolean persistent() {
    return persistent;
  }

  /**
   * @return the largest sealed record, in bytes, this backend accepts.
   */
  public int maxRecordBytes() {
    return maxRecordBytes;
  }

  public String description() {
    return description;
  }

  @Override
  public String toString() {
    return name
        + (persistent ? " (persistent" : " (volatile")
        + ", records up to "
        + maxRecordBytes
        + " B)";
  }
}
