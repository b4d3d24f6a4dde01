package org.openkcm.keystore.core.internal.keys;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.openkcm.keystore.api.KeyHandle;
import org.openkcm.keystore.core.internal.keys.ChaosModel.Key;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.spi.KeyRecord;
import org.openkcm.keystore.spi.Keystore;

/**
 * The end-of-run checks, against what the backends really hold (read directly, no fault injector,
 * no cache) and through a fresh core (nothing cached, as after a restart).
 */
final class ChaosInvariants {
  final List<String> orphans = new ArrayList<>();
  final List<String> lost = new ArrayList<>();
  final List<String> half = new ArrayList<>();
  final List<String> plaintext = new ArrayList<>();
  int records;

  private final Map<KeyRef, KeyRecord> stored = new TreeMap<>();

  ChaosInvariants(List<Keystore> raw) throws KeystoreException {
    for (Keystore k : raw) {
      KeyFilter f = KeyFilter.all().withPageSize(1000);
      while (true) {
        Page<KeyMetadata> p = k.list(f);
        for (KeyMetadata m : p.items()) {
          if (stored.put(m.ref(), k.retrieve(m.ref())) != null) {
            orphans.add(m.ref() + " held by two backends");
          }
        }
        if (p.nextCursor().isEmpty() || p.items().isEmpty()) {
          break;
        }
        f = f.after(p.items().get(p.items().size() - 1).ref());
      }
    }
    records = stored.size();
  }

  /** No PENDING or intent-tagged record, no child whose parent version is gone or shredded. */
  void checkNoOrphans() {
    for (KeyRecord r : stored.values()) {
      KeyMetadata m = r.metadata();
      if (m.status() == KeyStatus.PENDING) {
        orphans.add(m.ref() + " is still PENDING");
      }
      if (m.tags().containsKey(ReservedTags.SAGA)) {
        orphans.add(m.ref() + " still carries intent " + m.tags().get(ReservedTags.SAGA));
      }
      if (m.status() != KeyStatus.DESTROYED && m.parent().isPresent()) {
        KeyRecord p = stored.get(m.parent().get());
        if (p == null || p.metadata().status() == KeyStatus.DESTROYED) {
          orphans.add(m.ref() + " has no live parent " + m.parent().get());
        }
      }
    }
  }

  void checkKeys(ChaosModel model, CryptoKeyService fresh) {
    for (Key k : model.keys.values()) {
      List<KeyRecord> versions = versionsOf(k.id);
      switch (k.fate) {
        case LIVE -> checkLive(k, versions, fresh);
        case DESTROYED -> {
          // an acknowledged destroy leaves only tombstones: status DESTROYED, no material, no
          // intent
          long remaining =
              versions.stream()
                  .filter(
                      r ->
                          r.metadata().status() != KeyStatus.DESTROYED
                              || !org.openkcm.keystore.core.internal.crypto.EnvelopeSealer
                                  .isTombstone(r.sealed()))
                  .count();
          if (remaining > 0) {
            lost.add(k.id + ": destroy was acknowledged but " + remaining + " version(s) remain");
          }
        }
        case CREATE_FAILED, DOOMED -> {
          if (!versions.isEmpty() && !opensCompletely(k, versions, fresh)) {
            half.add(k.id + " (" + k.fate + ") is present but not complete and consistent");
          }
        }
      }
    }
  }

  private void checkLive(Key k, List<KeyRecord> versions, CryptoKeyService fresh) {
    Map<Integer, KeyRecord> byVersion = new HashMap<>();
    versions.forEach(r -> byVersion.put(r.metadata().version(), r));
    for (Map.Entry<Integer, KeyStatus> e : k.status.entrySet()) {
      KeyRecord r = byVersion.get(e.getKey());
      if (r == null) {
        lost.add(k.id + "@" + e.getKey() + " acknowledged but missing");
        continue;
      }
      if (e.getValue() != null && !k.rotationUncertain && r.metadata().status() != e.getValue()) {
        lost.add(
            k.id
                + "@"
                + e.getKey()
                + " is "
                + r.metadata().status()
                + ", acknowledged "
                + e.getValue());
      }
      Map<String, String> tags = k.tags.get(e.getKey());
      if (tags != null && !callerTags(r.metadata()).equals(tags)) {
        lost.add(
            k.id
                + "@"
                + e.getKey()
                + " tags "
                + callerTags(r.metadata())
                + ", acknowledged "
                + tags);
      }
    }
    if (!opensCompletely(k, versions, fresh)) {
      lost.add(k.id + " does not open completely");
    }
    for (ChaosModel.Sealed s : k.sealed) {
      try {
        if (!Arrays.equals(fresh.decrypt(k.id, s.ciphertext(), s.aad()), s.plaintext())) {
          lost.add(k.id + ": a ciphertext decrypts to other bytes");
        }
      } catch (KeystoreException e) {
        lost.add(k.id + ": an acknowledged ciphertext no longer decrypts: " + e);
      }
    }
  }

  /** Every version opens (or is legitimately unusable), and the parent chain is there. */
  private boolean opensCompletely(Key k, List<KeyRecord> versions, CryptoKeyService fresh) {
    for (KeyRecord r : versions) {
      KeyMetadata m = r.metadata();
      if (!m.status().mayProcess()) {
        if (m.status() == KeyStatus.PENDING) {
          return false;
        }
        continue;
      }
      try (KeyHandle h = fresh.open(m.ref())) {
        h.metadata();
      } catch (KeystoreException e) {
        return false;
      }
    }
    return true;
  }

  private List<KeyRecord> versionsOf(String id) {
    List<KeyRecord> out = new ArrayList<>();
    for (KeyRecord r : stored.values()) {
      if (r.metadata().id().equals(id)) {
        out.add(r);
      }
    }
    return out;
  }

  private static Map<String, String> callerTags(KeyMetadata m) {
    Map<String, String> out = new TreeMap<>(m.tags());
    out.keySet().removeIf(t -> t.startsWith(ReservedTags.PREFIX));
    return out;
  }

  /**
   * Searches every stored byte (sealed record, and every tag value) for any 16-byte window of any
   * material seen.
   */
  void checkNoPlaintext(List<byte[]> materials) {
    Set<ByteBuffer> windows = new HashSet<>();
    for (byte[] m : materials) {
      windows.add(ByteBuffer.wrap(Arrays.copyOf(m, 16)));
    }
    for (KeyRecord r : stored.values()) {
      byte[] sealed = r.sealed();
      for (int i = 0; i + 16 <= sealed.length; i++) {
        if (windows.contains(ByteBuffer.wrap(sealed, i, 16).slice())) {
          plaintext.add(r.metadata().ref() + " holds key material in its sealed bytes");
        }
      }
      String meta = r.metadata().toString() + r.metadata().tags();
      for (byte[] m : materials) {
        if (meta.contains(java.util.HexFormat.of().formatHex(m, 0, 8))
            || meta.contains(java.util.Base64.getEncoder().encodeToString(Arrays.copyOf(m, 12)))) {
          plaintext.add(r.metadata().ref() + " holds key material in its metadata");
        }
      }
    }
  }

  int orphanCount() {
    return orphans.size() + half.size();
  }
}
