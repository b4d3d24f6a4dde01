package org.openkcm.keystore.benchmarks;

import java.util.concurrent.ThreadLocalRandom;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Each thread walks the key set with a large odd stride from its own random start (same walk for
 * core and floor).
 */
@State(Scope.Thread)
public class Cursor {
  /** 65536 keys: near the default L4 cache size (100k), so lookups pay realistic memory misses */
  static final int KEYS = 1 << 16;

  private int i = ThreadLocalRandom.current().nextInt(KEYS);

  int next() {
    i = (i + 7919) & (KEYS - 1);
    return i;
  }
}
