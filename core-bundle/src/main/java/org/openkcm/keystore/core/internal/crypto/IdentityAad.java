package org.openkcm.keystore.core.internal.crypto;

import java.nio.charset.StandardCharsets;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;

/**
 * The canonical encoding of a record's identity: exactly the fields {@link
 * KeyMetadata#sameIdentity} compares (key id, version, tier, owner, algorithm, key size, parent
 * reference). It is the associated data of both the material encryption and the DEK wrap, so a
 * record moved to another id or stored with edited identity metadata fails authentication. Layout
 * (docs/crypto.md):
 *
 * <pre>
 * "OKID" | u8 encoding version (1) | str keyId | i32 version | str tier | str ownerType | str ownerId
 *        | str algorithm | i32 keySize | u8 hasParent | [str parentId | i32 parentVersion]
 * str = u16 big-endian length, then the bytes (ids, names: ASCII by the model's limits, encoded UTF-8)
 * </pre>
 *
 * Names, not enum ordinals, so reordering an enum never silently changes what a record is bound to.
 */
public final class IdentityAad {
  static final byte ENCODING_VERSION = 1;
  private static final byte[] MAGIC = {'O', 'K', 'I', 'D'};

  private IdentityAad() {}

  public static byte[] of(KeyMetadata m) {
    byte[] id = utf8(m.id());
    byte[] tier = utf8(m.tier().name());
    byte[] ownerType = utf8(m.owner().type().name());
    byte[] ownerId = utf8(m.owner().id());
    byte[] alg = utf8(m.algorithm());
    KeyRef parent = m.parent().orElse(null);
    byte[] parentId = parent == null ? null : utf8(parent.id());
    int size =
        MAGIC.length
            + 1
            + 2
            + id.length
            + 4
            + 2
            + tier.length
            + 2
            + ownerType.length
            + 2
            + ownerId.length
            + 2
            + alg.length
            + 4
            + 1
            + (parent == null ? 0 : 2 + parentId.length + 4);
    byte[] out = new byte[size];
    System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
    int p = MAGIC.length;
    out[p++] = ENCODING_VERSION;
    p = putStr(out, p, id);
    p = putInt(out, p, m.version());
    p = putStr(out, p, tier);
    p = putStr(out, p, ownerType);
    p = putStr(out, p, ownerId);
    p = putStr(out, p, alg);
    p = putInt(out, p, m.keySize());
    out[p++] = (byte) (parent == null ? 0 : 1);
    if (parent != null) {
      p = putStr(out, p, parentId);
      putInt(out, p, parent.version());
    }
    return out;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static int putStr(byte[] out, int p, byte[] s) {
    out[p] = (byte) (s.length >>> 8);
    out[p + 1] = (byte) s.length;
    System.arraycopy(s, 0, out, p + 2, s.length);
    return p + 2 + s.length;
  }

  static int putInt(byte[] out, int p, int v) {
    out[p] = (byte) (v >>> 24);
    out[p + 1] = (byte) (v >>> 16);
    out[p + 2] = (byte) (v >>> 8);
    out[p + 3] = (byte) v;
    return p + 4;
  }

  static int getInt(byte[] in, int p) {
    return ((in[p] & 0xFF) << 24)
        | ((in[p + 1] & 0xFF) << 16)
        | ((in[p + 2] & 0xFF) << 8)
        | (in[p + 3] & 0xFF);
  }
}
