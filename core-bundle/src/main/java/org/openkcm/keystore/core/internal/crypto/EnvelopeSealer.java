package org.openkcm.keystore.core.internal.crypto;

import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import org.openkcm.keystore.model.IntegrityException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.spi.RootKeyProvider;

/**
 * Seals key material for storage and opens it again: a fresh DEK encrypts the material with
 * AES-256-GCM, the DEK is wrapped by the parent key's material (L3 wraps L4, L2 wraps L3) or, for
 * L2, by the {@link RootKeyProvider}; both operations bind the record's {@link IdentityAad}.
 * Layout: {@link SealedFormat}. Stateless and thread-safe; every DEK is zeroized before returning.
 */
public final class EnvelopeSealer {
  private static final byte[] TOMBSTONE = {
    SealedFormat.MAGIC_0, SealedFormat.MAGIC_1, SealedFormat.V2, SealedFormat.KIND_TOMBSTONE, 0, 0
  };

  private EnvelopeSealer() {}

  /** Seals an L3 or L4 key under its parent's material (which the caller owns). */
  public static byte[] sealUnderParent(KeyMetadata m, byte[] material, byte[] parentMaterial) {
    byte[] aad = IdentityAad.of(m);
    byte[] bound = SealedFormat.boundHeader(SealedFormat.V2, SealedFormat.KIND_PARENT);
    // one DRBG call for DEK and both IVs: DRBG calls have a fixed cost each
    byte[] rnd = ThreadCrypto.randomBytes(AesGcm.KEY_BYTES + 2 * AesGcm.IV_BYTES);
    byte[] dek = Arrays.copyOfRange(rnd, 0, AesGcm.KEY_BYTES);
    byte[] dekIv = Arrays.copyOfRange(rnd, AesGcm.KEY_BYTES, AesGcm.KEY_BYTES + AesGcm.IV_BYTES);
    byte[] matIv = Arrays.copyOfRange(rnd, AesGcm.KEY_BYTES + AesGcm.IV_BYTES, rnd.length);
    Arrays.fill(rnd, (byte) 0);
    try {
      int n = SealedFormat.PARENT_WRAPPED_DEK;
      byte[] out =
          new byte[SealedFormat.HEADER + n + AesGcm.IV_BYTES + material.length + AesGcm.TAG_BYTES];
      SealedFormat.writeHeader(out, SealedFormat.KIND_PARENT, n);
      int p = SealedFormat.HEADER;
      System.arraycopy(dekIv, 0, out, p, AesGcm.IV_BYTES);
      AesGcm.encrypt(
          parentMaterial, false, dekIv, dek, 0, dek.length, out, p + AesGcm.IV_BYTES, bound, aad);
      p += n;
      writeMaterial(out, p, matIv, dek, material, bound, aad);
      return out;
    } finally {
      Arrays.fill(dek, (byte) 0);
    }
  }

  /** Seals an L2 key: the DEK goes to the root-key provider to wrap. */
  public static byte[] sealUnderRoot(KeyMetadata m, byte[] material, RootKeyProvider root)
      throws KeystoreException {
    byte[] aad = IdentityAad.of(m);
    byte[] bound = SealedFormat.boundHeader(SealedFormat.V2, SealedFormat.KIND_ROOT);
    byte[] dek = ThreadCrypto.randomBytes(AesGcm.KEY_BYTES);
    try {
      byte[] wrapped = root.wrap(dek, concat(bound, aad));
      if (wrapped.length > 0xFFFF) {
        throw new IllegalStateException(
            "root key provider '" + root.name() + "' returned an oversized wrap");
      }
      byte[] out =
          new byte
              [SealedFormat.HEADER
                  + wrapped.length
                  + AesGcm.IV_BYTES
                  + material.length
                  + AesGcm.TAG_BYTES];
      SealedFormat.writeHeader(out, SealedFormat.KIND_ROOT, wrapped.length);
      System.arraycopy(wrapped, 0, out, SealedFormat.HEADER, wrapped.length);
      writeMaterial(
          out,
          SealedFormat.HEADER + wrapped.length,
          ThreadCrypto.randomBytes(AesGcm.IV_BYTES),
          dek,
          material,
          bound,
          aad);
      return out;
    } finally {
      Arrays.fill(dek, (byte) 0);
    }
  }

  private static void writeMaterial(
      byte[] out, int p, byte[] iv, byte[] dek, byte[] material, byte[] bound, byte[] aad) {
    System.arraycopy(iv, 0, out, p, AesGcm.IV_BYTES);
    AesGcm.encrypt(
        dek, true, iv, material, 0, material.length, out, p + AesGcm.IV_BYTES, bound, aad);
  }

  /**
   * Opens a sealed record stored with metadata {@code m}.
   *
   * @param parentMaterial the parent's material for L3/L4 (caller owns it), {@code null} for L2
   * @param root the root-key provider, used for L2 only
   * @return the material; the caller owns and zeroizes it
   * @throws IntegrityException if the record was altered, moved to another identity, or its kind
   *     does not fit the tier
   */
  public static byte[] open(
      KeyMetadata m, byte[] sealed, byte[] parentMaterial, RootKeyProvider root, String backend)
      throws KeystoreException {
    if (!SealedFormat.hasMagic(sealed)) {
      throw integrity(m, backend, "is not a sealed record");
    }
    if (sealed[2] != SealedFormat.V1 && sealed[2] != SealedFormat.V2) {
      throw integrity(
          m,
          backend,
          "has sealed format " + (sealed[2] & 0xFF) + ", which this runtime cannot read");
    }
    byte kind = sealed[3];
    if (kind == SealedFormat.KIND_TOMBSTONE) {
      throw integrity(m, backend, "was destroyed; only its metadata remains");
    }
    byte expected = m.parent().isPresent() ? SealedFormat.KIND_PARENT : SealedFormat.KIND_ROOT;
    int n = SealedFormat.wrappedDekLength(sealed);
    int matAt = SealedFormat.HEADER + n;
    if (kind != expected
        || sealed.length < matAt + AesGcm.IV_BYTES + AesGcm.TAG_BYTES
        || (kind == SealedFormat.KIND_PARENT && n != SealedFormat.PARENT_WRAPPED_DEK)) {
      throw integrity(m, backend, "has a malformed or misplaced sealed record");
    }
    byte[] aad = IdentityAad.of(m);
    byte[] bound = SealedFormat.boundHeader(sealed[2], kind);
    byte[] dek =
        kind == SealedFormat.KIND_PARENT
            ? unwrapUnderParent(m, sealed, parentMaterial, bound, aad, backend)
            : root.unwrap(
                Arrays.copyOfRange(sealed, SealedFormat.HEADER, matAt), concat(bound, aad));
    try {
      byte[] iv = Arrays.copyOfRange(sealed, matAt, matAt + AesGcm.IV_BYTES);
      int ctAt = matAt + AesGcm.IV_BYTES;
      return AesGcm.decrypt(dek, true, iv, sealed, ctAt, sealed.length - ctAt, bound, aad);
    } catch (AEADBadTagException e) {
      throw integrity(
          m, backend, "failed authentication (altered, or stored under another identity)");
    } finally {
      Arrays.fill(dek, (byte) 0);
    }
  }

  private static byte[] unwrapUnderParent(
      KeyMetadata m, byte[] sealed, byte[] parentMaterial, byte[] bound, byte[] aad, String backend)
      throws IntegrityException {
    int p = SealedFormat.HEADER;
    byte[] iv = Arrays.copyOfRange(sealed, p, p + AesGcm.IV_BYTES);
    try {
      return AesGcm.decrypt(
          parentMaterial,
          false,
          iv,
          sealed,
          p + AesGcm.IV_BYTES,
          SealedFormat.PARENT_WRAPPED_DEK - AesGcm.IV_BYTES,
          bound,
          aad);
    } catch (AEADBadTagException e) {
      throw integrity(
          m,
          backend,
          "has a DEK that does not unwrap under "
              + m.parent().orElseThrow()
              + " (altered, or stored under another identity)");
    }
  }

  /**
   * @return the root-wrapped DEK of an L2 record, or null if {@code sealed} is not one
   */
  public static byte[] rootWrappedDek(byte[] sealed) {
    if (!SealedFormat.hasMagic(sealed) || sealed[3] != SealedFormat.KIND_ROOT) {
      return null;
    }
    int matAt = SealedFormat.HEADER + SealedFormat.wrappedDekLength(sealed);
    return matAt > sealed.length ? null : Arrays.copyOfRange(sealed, SealedFormat.HEADER, matAt);
  }

  /**
   * Re-wraps an L2 record's DEK under the root key the provider wraps with now; the material's
   * ciphertext, its IV and the format number stay as they are. The result is opened and compared
   * with the original's material before it is returned, so a rewrap that would lose the key fails
   * here instead of being stored.
   *
   * @return the new sealed bytes
   * @throws IntegrityException if the record does not open, or the rewrapped one would not open to
   *     the same material
   */
  public static byte[] rewrapUnderRoot(
      KeyMetadata m, byte[] sealed, RootKeyProvider root, String backend) throws KeystoreException {
    byte[] before = open(m, sealed, null, root, backend); // also validates the layout and tier
    byte[] dek = null;
    byte[] after = null;
    try {
      byte[] bound = SealedFormat.boundHeader(sealed[2], SealedFormat.KIND_ROOT);
      byte[] aad = concat(bound, IdentityAad.of(m));
      int matAt = SealedFormat.HEADER + SealedFormat.wrappedDekLength(sealed);
      dek = root.unwrap(Arrays.copyOfRange(sealed, SealedFormat.HEADER, matAt), aad);
      byte[] wrapped = root.wrap(dek, aad);
      if (wrapped.length > 0xFFFF) {
        throw new IllegalStateException(
            "root key provider '" + root.name() + "' returned an oversized wrap");
      }
      byte[] out = new byte[SealedFormat.HEADER + wrapped.length + sealed.length - matAt];
      SealedFormat.writeHeader(out, SealedFormat.KIND_ROOT, wrapped.length);
      out[2] = sealed[2]; // the format number is bound to the material's ciphertext
      System.arraycopy(wrapped, 0, out, SealedFormat.HEADER, wrapped.length);
      System.arraycopy(
          sealed, matAt, out, SealedFormat.HEADER + wrapped.length, sealed.length - matAt);
      after = open(m, out, null, root, backend);
      if (!java.security.MessageDigest.isEqual(before, after)) {
        throw integrity(m, backend, "would not open to the same material once rewrapped");
      }
      return out;
    } finally {
      Arrays.fill(before, (byte) 0);
      if (dek != null) {
        Arrays.fill(dek, (byte) 0);
      }
      if (after != null) {
        Arrays.fill(after, (byte) 0);
      }
    }
  }

  /**
   * @return the record that replaces a destroyed version's: no material, no wrapped DEK
   */
  public static byte[] tombstone() {
    return TOMBSTONE.clone();
  }

  /**
   * @return the sealed format number (1, 2...), or -1 if these are not sealed bytes. Format 2 and
   *     later records require an authenticated state ({@link StateAuthenticator})
   */
  public static int format(byte[] sealed) {
    return SealedFormat.hasMagic(sealed) ? sealed[2] & 0xFF : -1;
  }

  /**
   * @return whether a record in this sealed format must carry the core's state MAC
   */
  public static boolean requiresAuthenticatedState(byte[] sealed) {
    return format(sealed) != SealedFormat.V1;
  }

  public static boolean isTombstone(byte[] sealed) {
    return SealedFormat.hasMagic(sealed) && sealed[3] == SealedFormat.KIND_TOMBSTONE;
  }

  private static IntegrityException integrity(KeyMetadata m, String backend, String problem) {
    return new IntegrityException(
        m.ref(), backend, "key " + m.ref() + " in '" + backend + "' " + problem);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
