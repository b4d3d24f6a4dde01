package org.openkcm.keystore.core.internal.shell;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import org.openkcm.keystore.api.CreateKeyRequest;
import org.openkcm.keystore.api.KeyHandle;
import org.openkcm.keystore.api.KeyService;
import org.openkcm.keystore.core.internal.crypto.DataCipher;
import org.openkcm.keystore.model.IntegrityException;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Owner;

/**
 * Builds KeyService requests from shell arguments and describes an opened key without showing it.
 */
final class KeyRequests {
  private static final byte[] PROBE = "openkcm-shell-probe".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] KCV_DOMAIN = "OpenKCM-KCV-v1\0".getBytes(StandardCharsets.US_ASCII);

  private KeyRequests() {}

  static CreateKeyRequest create(String tier, String owner, ShellArguments a)
      throws InvalidKeyRequestException {
    a.allow("id", "parent", "algorithm", "size", "status", "expires");
    CreateKeyRequest.Builder b =
        CreateKeyRequest.builder(KeyTier.parse("tier", tier), Owner.parse(owner));
    b.keyId(a.get("id")).parentId(a.get("parent"));
    if (a.get("algorithm") != null || a.get("size") != null) {
      b.algorithm(
          a.get("algorithm") == null ? "AES" : a.get("algorithm"),
          a.get("size") == null ? 256 : a.integer("size"));
    }
    if (a.get("status") != null) {
      b.initialStatus(KeyStatus.parse("status", a.get("status")));
    }
    if (a.get("expires") != null) {
      try {
        b.expiresAt(Instant.parse(a.get("expires")));
      } catch (DateTimeParseException e) {
        throw new InvalidKeyRequestException(
            "expires", "expected an ISO-8601 instant, e.g. 2027-01-01T00:00:00Z");
      }
    }
    a.tags().forEach(b::tag);
    return b.build();
  }

  /**
   * Opens the key and reports: its metadata; a key check value (the first 3 bytes of SHA-256 over a
   * domain label and the material: stable per key, reveals nothing usable, lets an operator compare
   * a key across restarts and nodes); and an encrypt/decrypt round trip with the ciphertext's hash
   * prefix.
   */
  /**
   * {@code id@v} is that version; a bare id is the key's highest ACTIVE version (whose state
   * authenticated), else its highest version.
   */
  static KeyRef resolve(KeyService service, String key) throws KeystoreException {
    ShellLine.checkNotCut();
    ShellArguments.notAPattern("key", key);
    if (key != null && key.indexOf('@') >= 0) {
      return KeyRef.parse(key);
    }
    org.openkcm.keystore.model.Limits.checkId("keyId", key);
    try (KeyHandle h = service.openActive(key)) {
      return h.metadata().ref(); // found where the key lives, without asking every backend
    } catch (org.openkcm.keystore.model.InvalidKeyRequestException | IntegrityException e) {
      // no usable ACTIVE version: the key's highest version, from a listing of every backend
    }
    java.util.List<org.openkcm.keystore.model.KeyMetadata> all =
        service
            .list(
                org.openkcm.keystore.model.KeyFilter.builder()
                    .keyId(key)
                    .pageSize(org.openkcm.keystore.model.Limits.MAX_PAGE_SIZE)
                    .build())
            .items();
    if (all.isEmpty()) {
      throw new org.openkcm.keystore.model.KeyNotFoundException(
          null, null, "key '" + key + "' not found in any configured backend");
    }
    org.openkcm.keystore.model.KeyMetadata best = null;
    for (org.openkcm.keystore.model.KeyMetadata m : all) {
      if (m.status() == org.openkcm.keystore.model.KeyStatus.ACTIVE
          && !"failed".equals(m.tags().get("openkcm.integrity"))
          && (best == null || m.version() > best.version())) {
        best = m;
      }
    }
    return (best != null ? best : all.get(all.size() - 1)).ref();
  }

  static String describeOpened(KeyService service, KeyRef ref) throws KeystoreException {
    try (KeyHandle h = service.open(ref)) {
      StringBuilder b = new StringBuilder(Formats.keyDetails(h.metadata()));
      byte[] material = h.copyMaterial();
      try {
        Formats.line(b, "kcv", Formats.hex(sha256(KCV_DOMAIN, material), 3));
      } finally {
        Arrays.fill(material, (byte) 0);
      }
      byte[] aad = ref.toString().getBytes(StandardCharsets.UTF_8);
      boolean protects = h.metadata().status().mayProtect();
      byte[] ciphertext;
      if (protects) {
        ciphertext = h.encrypt(PROBE, aad);
      } else {
        // a version that only decrypts (DEPRECATED, ...): the probe is sealed here, outside the
        // key's
        // policy, and the key is asked only to decrypt it
        byte[] k = h.copyMaterial();
        try {
          ciphertext = DataCipher.encrypt(k, h.metadata().version(), PROBE, aad);
        } finally {
          Arrays.fill(k, (byte) 0);
        }
      }
      byte[] back = h.decrypt(ciphertext, aad);
      if (!Arrays.equals(back, PROBE)) {
        throw new IntegrityException(
            ref, null, "encrypt/decrypt round trip returned different bytes");
      }
      Formats.line(
          b,
          "roundtrip",
          (protects ? "ok (" : "decrypt-only ok (")
              + ciphertext.length
              + " bytes, sha256 "
              + Formats.hex(sha256(new byte[0], ciphertext), 4)
              + ")");
      return b.toString();
    }
  }

  private static byte[] sha256(byte[] prefix, byte[] data) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(prefix);
      return d.digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JDK", e);
    }
  }
}
