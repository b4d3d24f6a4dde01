package org.openkcm.keystore.core.internal.keys;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;

/** What the randomized run believes about every key it touched, from the answers it got. */
final class ChaosModel {

  /** How sure the run is about a key. */
  enum Fate {
    /** created and acknowledged, not destroyed: must be there and open */
    LIVE,
    /** create reported failed: absent, or complete and consistent */
    CREATE_FAILED,
    /** destroy (of it or an ancestor) reported failed: all of it or none of it */
    DOOMED,
    /** destroy acknowledged: must be gone */
    DESTROYED
  }

  /** One data encryption whose ciphertext must keep decrypting while the key lives. */
  record Sealed(byte[] plaintext, byte[] aad, byte[] ciphertext) {}

  /** One key. */
  static final class Key {
    final String id;
    final KeyTier tier;
    final String parent;
    Fate fate;

    /** versions with the status last acknowledged; null = uncertain (a change failed) */
    final Map<Integer, KeyStatus> status = new TreeMap<>();

    /** tags last acknowledged per version (caller's tags only); null = uncertain */
    final Map<Integer, Map<String, String>> tags = new TreeMap<>();

    final List<Sealed> sealed = new ArrayList<>();
    boolean rotationUncertain;

    Key(String id, KeyTier tier, String parent, Fate fate) {
      this.id = id;
      this.tier = tier;
      this.parent = parent;
      this.fate = fate;
      status.put(1, KeyStatus.ACTIVE);
      tags.put(1, Map.of());
    }
  }

  final Map<String, Key> keys = new LinkedHashMap<>();

  /** every plaintext key material the run saw (to search the backends for) */
  final List<byte[]> materials = new ArrayList<>();

  List<Key> live(KeyTier tier) {
    List<Key> out = new ArrayList<>();
    for (Key k : keys.values()) {
      if (k.fate == Fate.LIVE && (tier == null || k.tier == tier)) {
        out.add(k);
      }
    }
    return out;
  }

  /**
   * @return the ids of {@code id} and all its descendants the model knows
   */
  Set<String> subtree(String id) {
    Set<String> out = new TreeSet<>();
    out.add(id);
    boolean grew = true;
    while (grew) {
      grew = false;
      for (Key k : keys.values()) {
        if (k.parent != null && out.contains(k.parent) && out.add(k.id)) {
          grew = true;
        }
      }
    }
    return out;
  }

  void mark(String id, Fate fate) {
    for (String d : subtree(id)) {
      Key k = keys.get(d);
      if (fate == Fate.DESTROYED || k.fate == Fate.LIVE || k.fate == Fate.DOOMED) {
        k.fate = fate;
      } else if (k.fate == Fate.CREATE_FAILED && fate == Fate.DOOMED) {
        k.fate = Fate.CREATE_FAILED; // already all-or-nothing
      }
    }
  }
}
