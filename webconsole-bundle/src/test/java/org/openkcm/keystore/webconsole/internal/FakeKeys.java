package org.openkcm.keystore.webconsole.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.openkcm.keystore.api.CacheStatistics;
import org.openkcm.keystore.api.CreateKeyRequest;
import org.openkcm.keystore.api.KeyHandle;
import org.openkcm.keystore.api.KeyService;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyNotFoundException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Page;

/** A KeyService over a map, recording every call that changes something. */
final class FakeKeys implements KeyService {
  static final byte[] MATERIAL = new byte[32];

  static {
    Arrays.fill(MATERIAL, (byte) 0x5a);
  }

  final Map<KeyRef, KeyMetadata> keys = new TreeMap<>();
  final List<String> changes = new ArrayList<>();
  List<String> unavailable = List.of();

  KeyMetadata put(String id, int version, KeyTier tier, String owner, KeyRef parent, KeyStatus s)
      throws KeystoreException {
    KeyMetadata.Builder b =
        KeyMetadata.builder()
            .ref(KeyRef.of(id, version))
            .tier(tier)
            .owner(org.openkcm.keystore.model.Owner.parse(owner))
            .status(s);
    if (parent != null) {
      b.parent(parent).tag(KeyListings.PARENT_TAG, parent.id());
    }
    KeyMetadata m = b.build();
    keys.put(m.ref(), m);
    return m;
  }

  @Override
  public KeyMetadata create(CreateKeyRequest r) throws KeystoreException {
    changes.add("create " + r);
    String id = r.keyId().orElse("generated");
    KeyRef parent = r.parentId().isPresent() ? KeyRef.of(r.parentId().get(), 1) : null;
    KeyMetadata m = put(id, 1, r.tier(), r.owner().toString(), parent, r.initialStatus());
    Map<String, String> tags = new TreeMap<>(m.tags());
    tags.putAll(r.tags());
    m = m.toBuilder().tags(tags).build();
    keys.put(m.ref(), m);
    return m;
  }

  @Override
  public KeyHandle open(KeyRef ref) throws KeystoreException {
    KeyMetadata m = metadata(ref);
    return new KeyHandle() {
      @Override
      public KeyMetadata metadata() {
        return m;
      }

      @Override
      public byte[] copyMaterial() {
        return MATERIAL.clone();
      }

      @Override
      public byte[] encrypt(byte[] plaintext, byte[] aad) {
        throw new UnsupportedOperationException();
      }

      @Override
      public byte[] decrypt(byte[] ciphertext, byte[] aad) {
        throw new UnsupportedOperationException();
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public KeyHandle openActive(String keyId) {
    throw new UnsupportedOperationException();
  }

  @Override
  public byte[] encrypt(String keyId, byte[] plaintext, byte[] aad) {
    throw new UnsupportedOperationException();
  }

  @Override
  public byte[] decrypt(String keyId, byte[] ciphertext, byte[] aad) {
    throw new UnsupportedOperationException();
  }

  @Override
  public KeyMetadata rotate(String keyId) throws KeystoreException {
    changes.add("rotate " + keyId);
    return metadata(KeyRef.of(keyId, 1));
  }

  @Override
  public KeyMetadata changeStatus(KeyRef ref, KeyStatus next) throws KeystoreException {
    changes.add("status " + ref + " " + next);
    KeyMetadata m = metadata(ref).toBuilder().status(next).build();
    keys.put(ref, m);
    return m;
  }

  @Override
  public KeyMetadata updateMetadata(KeyRef ref, Map<String, String> tags, Instant expiresAt)
      throws KeystoreException {
    changes.add("update " + ref + " " + tags + " " + expiresAt);
    KeyMetadata m = metadata(ref).toBuilder().tags(tags).expiresAt(expiresAt).build();
    keys.put(ref, m);
    return m;
  }

  @Override
  public void destroy(String keyId, boolean cascade) {
    changes.add("destroy " + keyId + (cascade ? " cascade" : ""));
    keys.keySet().removeIf(r -> r.id().equals(keyId));
  }

  @Override
  public KeyMetadata metadata(KeyRef ref) throws KeystoreException {
    KeyMetadata m = keys.get(ref);
    if (m == null) {
      throw new KeyNotFoundException(ref, null, "key " + ref + " not found");
    }
    return m;
  }

  @Override
  public Page<KeyMetadata> list(KeyFilter f) throws InvalidKeyRequestException {
    List<KeyMetadata> out = new ArrayList<>();
    for (KeyMetadata m : keys.values()) {
      if (f.keyId().map(id -> id.equals(m.id())).orElse(true)
          && f.tier().map(t -> t == m.tier()).orElse(true)
          && f.owner().map(o -> o.equals(m.owner())).orElse(true)
          && f.tags().entrySet().stream()
              .allMatch(e -> e.getValue().equals(m.tags().get(e.getKey())))) {
        out.add(m);
      }
    }
    return new Page<>(out, null, unavailable);
  }

  @Override
  public CacheStatistics cacheStatistics() {
    return new CacheStatistics(List.of());
  }
}
