package org.openkcm.keystore.pkcs11.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The provider's self-describing wrapped DEK: {@code "P11" | u8 format (1) | u8 n | key label (n
 * bytes, ASCII) | 12-byte IV | AES-256-GCM(DEK) | 16-byte tag}. The GCM associated data is
 * everything before the IV followed by the caller's aad (the record's header and identity), so a
 * label swapped for another, or a wrap moved to another record, fails authentication. The label
 * names the token key that wrapped it: rotation keeps older records readable.
 */
record WrappedDek(String label, byte[] prefix, byte[] iv, byte[] ciphertext) {
  static final byte[] MAGIC = {'P', '1', '1'};
  static final byte FORMAT = 1;
  static final int IV_BYTES = 12;
  static final int TAG_BYTES = 16;

  static byte[] prefix(String label) {
    byte[] l = label.getBytes(StandardCharsets.US_ASCII);
    byte[] p = new byte[MAGIC.length + 2 + l.length];
    System.arraycopy(MAGIC, 0, p, 0, MAGIC.length);
    p[3] = FORMAT;
    p[4] = (byte) l.length;
    System.arraycopy(l, 0, p, 5, l.length);
    return p;
  }

  static byte[] encode(byte[] prefix, byte[] iv, byte[] ciphertext) {
    byte[] out = new byte[prefix.length + iv.length + ciphertext.length];
    System.arraycopy(prefix, 0, out, 0, prefix.length);
    System.arraycopy(iv, 0, out, prefix.length, iv.length);
    System.arraycopy(ciphertext, 0, out, prefix.length + iv.length, ciphertext.length);
    return out;
  }

  /**
   * @return whether the bytes claim to be this provider's (another provider's wrap does not)
   */
  static boolean isOurs(byte[] wrapped) {
    return wrapped != null
        && wrapped.length > MAGIC.length
        && Arrays.equals(wrapped, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
  }

  /**
   * @return the parsed form, or null if malformed
   */
  static WrappedDek parse(byte[] w) {
    if (!isOurs(w) || w.length < 5 || w[3] != FORMAT) {
      return null;
    }
    int n = w[4] & 0xff;
    int ivAt = 5 + n;
    if (n == 0 || w.length < ivAt + IV_BYTES + TAG_BYTES + 1) {
      return null;
    }
    String label = new String(w, 5, n, StandardCharsets.US_ASCII);
    return new WrappedDek(
        label,
        Arrays.copyOf(w, ivAt),
        Arrays.copyOfRange(w, ivAt, ivAt + IV_BYTES),
        Arrays.copyOfRange(w, ivAt + IV_BYTES, w.length));
  }

  /**
   * @return the token key label a wrapped DEK names, or null if it is not this provider's
   *     (operators, tests)
   */
  static String labelOf(byte[] wrapped) {
    WrappedDek d = parse(wrapped);
    return d == null ? null : d.label();
  }
}
