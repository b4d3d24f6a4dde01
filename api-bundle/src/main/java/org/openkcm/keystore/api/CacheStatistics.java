package org.openkcm.keystore.api;

import java.util.List;

/**
 * Counters of the core's caches, one entry per layer and tier (e.g. "sealed L3", "plaintext L4").
 */
public final class CacheStatistics {
  private final List<Layer> layers;

  public CacheStatistics(List<Layer> layers) {
    this.layers = List.copyOf(layers);
  }

  public List<Layer> layers() {
    return layers;
  }

  /** One cache layer's counters since start. */
  public record Layer(String name, long size, long hits, long misses, long evictions) {
    /**
     * @return hits / (hits + misses), 0 when unused
     */
    public double hitRate() {
      long total = hits + misses;
      return total == 0 ? 0 : (double) hits / total;
    }
  }

  @Override
  public String toString() {
    return "CacheStatistics" + layers;
  }
}
