package org.openkcm.keystore.core.internal.crypto;

/**
 * Byte layout of a sealed record (docs/crypto.md has the table). Every record starts with the magic
 * and a format version, so a later format adds a version and keeps reading this one.
 *
 * <pre>
 * v1, v2: "OK" | u8 format (1 or 2) | u8 kind | u16 n | wrapped DEK (n bytes) | 12-byte IV | material ciphertext | 16-byte tag
 * kind 1 (parent): wrapped DEK = 12-byte IV | AES-256-GCM(parent material, DEK) | 16-byte tag   (n = 60)
 * kind 2 (root):   wrapped DEK = the root-key provider's own self-describing bytes
 * kind 0 (tombstone of a destroyed version): header only, n = 0, nothing follows
 * </pre>
 *
 * The header's first four bytes are associated data of both GCM operations, next to the identity.
 * Format 2 has format 1's layout; its number (bound as associated data, so it cannot be edited back
 * to 1) says that the record's state carries the core's state MAC ({@link StateAuthenticator}),
 * which a reader then requires.
 */
final class SealedFormat {
  static final byte MAGIC_0 = 'O';
  static final byte MAGIC_1 = 'K';
  static final byte V1 = 1;

  /** Written since the record state is authenticated; layout as {@link #V1}. */
  static final byte V2 = 2;

  static final byte KIND_TOMBSTONE = 0;
  static final byte KIND_PARENT = 1;
  static final byte KIND_ROOT = 2;

  /** magic, format, kind, u16 length of the wrapped DEK */
  static final int HEADER = 6;

  /** The part of the header bound as associated data: magic, format, kind. */
  static final int BOUND_HEADER = 4;

  static final int PARENT_WRAPPED_DEK = AesGcm.IV_BYTES + AesGcm.KEY_BYTES + AesGcm.TAG_BYTES;

  private SealedFormat() {}

  static void writeHeader(byte[] out, byte kind, int wrappedDekLength) {
    out[0] = MAGIC_0;
    out[1] = MAGIC_1;
    out[2] = V2;
    out[3] = kind;
    out[4] = (byte) (wrappedDekLength >>> 8);
    out[5] = (byte) wrappedDekLength;
  }

  static byte[] boundHeader(byte format, byte kind) {
    return new byte[] {MAGIC_0, MAGIC_1, format, kind};
  }

  static boolean hasMagic(byte[] in) {
    return in.length >= HEADER && in[0] == MAGIC_0 && in[1] == MAGIC_1;
  }

  static int wrappedDekLength(byte[] in) {
    return ((in[4] & 0xFF) << 8) | (in[5] & 0xFF);
  }
}
