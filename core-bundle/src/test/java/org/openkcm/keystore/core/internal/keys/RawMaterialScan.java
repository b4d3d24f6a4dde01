package org.openkcm.keystore.core.internal.keys;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.openkcm.keystore.testkit.PlaintextScan;

/**
 * Looks for key material in what a storage holds outside the Keystore API: raw files (every 8-byte
 * offset checked against the materials' first 8 bytes, then confirmed over 16 bytes) and text dumps
 * (hex and base64 forms). For the "no plaintext in any table / on disk" checks of the PostgreSQL
 * runs.
 */
final class RawMaterialScan {
  private final List<byte[]> materials;
  private final long[] table;

  RawMaterialScan(List<byte[]> materials) {
    this.materials = materials;
    int size = Integer.highestOneBit(Math.max(16, materials.size() * 4)) * 2;
    this.table = new long[size];
    for (byte[] m : materials) {
      long k = ByteBuffer.wrap(m).getLong();
      int i = slot(k);
      while (table[i] != 0 && table[i] != k) {
        i = (i + 1) & (table.length - 1);
      }
      table[i] = k;
    }
  }

  private int slot(long k) {
    return Long.hashCode(k * 0x9E3779B97F4A7C15L) & (table.length - 1);
  }

  private boolean candidate(long k) {
    if (k == 0) {
      return false;
    }
    for (int i = slot(k); table[i] != 0; i = (i + 1) & (table.length - 1)) {
      if (table[i] == k) {
        return true;
      }
    }
    return false;
  }

  /**
   * @return a description of each material found in {@code raw}
   */
  List<String> inRaw(byte[] raw, String what) {
    List<String> found = new ArrayList<>();
    ByteBuffer b = ByteBuffer.wrap(raw);
    for (int i = 0; i + 16 <= raw.length; i++) {
      if (candidate(b.getLong(i))) {
        for (byte[] m : materials) {
          if (PlaintextScan.indexOf(Arrays.copyOfRange(raw, i, i + 16), Arrays.copyOf(m, 16))
              == 0) {
            found.add("key material at offset " + i + " of " + what);
          }
        }
      }
    }
    return found;
  }

  /**
   * @return a description of each material found in {@code text} as hex or base64
   */
  List<String> inText(String text, String what) {
    List<String> found = new ArrayList<>();
    String lower = text.toLowerCase(java.util.Locale.ROOT);
    for (byte[] m : materials) {
      if (lower.contains(HexFormat.of().formatHex(m, 0, 12))
          || text.contains(java.util.Base64.getEncoder().encodeToString(Arrays.copyOf(m, 12)))) {
        found.add("key material in " + what);
      }
    }
    return found;
  }
}
