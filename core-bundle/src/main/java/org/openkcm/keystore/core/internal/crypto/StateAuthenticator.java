package org.openkcm.keystore.core.internal.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import org.openkcm.keystore.model.KeyMetadata;

/**
 * Authenticates everything a record's metadata says — identity, status, times, expiry, parent,
 * every tag (saga intents included) — together with the backend revision the write produces and the
 * time the core wrote it, with HMAC-SHA256 under a key derived from the root key ({@link #LABEL}),
 * which no backend ever sees. The result travels as the reserved tag {@value #TAG} = {@code
 * 2.<revision>.<written at, epoch ms>.<base64url MAC>}. Layout of the MAC input (docs/crypto.md):
 *
 * <pre>
 * "OKST" | u8 version (2) | identity ({@link IdentityAad}) | str status | i64 createdAt | i64 updatedAt
 *        | u8 hasExpiry [i64 expiresAt] | u16 n | n x (str tag name | str tag value) | i64 revision
 *        | i64 writtenAt
 * </pre>
 *
 * Tags in name order, {@value #TAG} itself excluded; instants as epoch milliseconds (a backend may
 * keep times at millisecond or microsecond precision). Version 1 tags ({@code 1.<revision>.<MAC>},
 * the same input with u8 1 and without writtenAt), written by the previous version, still verify;
 * their write time is the authenticated {@code updatedAt}. Thread-safe (one Mac per thread); {@link
 * #close()} zeroizes the key.
 */
public final class StateAuthenticator implements AutoCloseable {
  /** HKDF info / Transit HMAC input the state key is derived with. */
  public static final String LABEL = "openkcm-keystore record state v1";

  public static final String TAG = "openkcm.state";
  private static final byte[] MAGIC = {'O', 'K', 'S', 'T'};
  private static final String VERSION = "2";
  private static final String VERSION_1 = "1";
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final HmacKey key;
  private final ThreadLocal<Mac> macs;

  /**
   * @param key 32 bytes; copied (the caller still zeroizes its array)
   */
  public StateAuthenticator(byte[] key) {
    if (key == null || key.length < 32) {
      throw new IllegalArgumentException("a state key has at least 32 bytes");
    }
    this.key = new HmacKey(key);
    this.macs = ThreadLocal.withInitial(this::newMac);
  }

  private Mac newMac() {
    try {
      Mac m = Mac.getInstance(Hkdf.HMAC);
      m.init(key);
      return m;
    } catch (InvalidKeyException e) {
      throw new IllegalStateException("state key destroyed", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 missing from the JDK", e);
    }
  }

  /**
   * What a verified tag says.
   *
   * @param revision the revision the state was written at
   * @param writtenAt when the core wrote it (a version 1 tag: the authenticated {@code updatedAt})
   */
  public record Verified(long revision, Instant writtenAt) {}

  /**
   * @return the {@value #TAG} value for {@code m} (its own {@value #TAG} ignored) written at {@code
   *     revision} at {@code writtenAt} (kept to the millisecond)
   */
  public String stamp(KeyMetadata m, long revision, Instant writtenAt) {
    long at = writtenAt.toEpochMilli();
    return VERSION + "." + revision + "." + at + "." + B64.encodeToString(mac(m, revision, at));
  }

  /**
   * @return what the tag claims if its MAC verifies for {@code m}, else {@code null} (also for a
   *     malformed tag)
   */
  public Verified verify(KeyMetadata m, String tag) {
    if (tag == null) {
      return null;
    }
    String[] parts = tag.split("\\.", -1);
    try {
      if (parts.length == 4 && VERSION.equals(parts[0])) {
        long rev = Long.parseLong(parts[1]);
        long at = Long.parseLong(parts[2]);
        byte[] claimed = Base64.getUrlDecoder().decode(parts[3]);
        return rev > 0 && MessageDigest.isEqual(claimed, mac(m, rev, at))
            ? new Verified(rev, Instant.ofEpochMilli(at))
            : null;
      }
      if (parts.length == 3 && VERSION_1.equals(parts[0])) {
        long rev = Long.parseLong(parts[1]);
        byte[] claimed = Base64.getUrlDecoder().decode(parts[2]);
        return rev > 0 && MessageDigest.isEqual(claimed, mac(m, rev, null))
            ? new Verified(rev, m.updatedAt())
            : null;
      }
    } catch (IllegalArgumentException e) {
      return null;
    }
    return null;
  }

  /**
   * @param writtenAt epoch ms; {@code null} = the version 1 layout
   */
  private byte[] mac(KeyMetadata m, long revision, Long writtenAt) {
    Mac mac = macs.get();
    mac.update(MAGIC);
    mac.update((byte) (writtenAt == null ? 1 : 2));
    mac.update(IdentityAad.of(m));
    str(mac, m.status().name());
    mac.update(i64(m.createdAt().toEpochMilli()));
    mac.update(i64(m.updatedAt().toEpochMilli()));
    mac.update((byte) (m.expiresAt().isPresent() ? 1 : 0));
    m.expiresAt().ifPresent(e -> mac.update(i64(e.toEpochMilli())));
    int n = m.tags().containsKey(TAG) ? m.tags().size() - 1 : m.tags().size();
    mac.update((byte) (n >>> 8));
    mac.update((byte) n);
    for (Map.Entry<String, String> t : m.tags().entrySet()) {
      if (!TAG.equals(t.getKey())) {
        str(mac, t.getKey());
        str(mac, t.getValue());
      }
    }
    mac.update(i64(revision));
    if (writtenAt != null) {
      mac.update(i64(writtenAt));
    }
    return mac.doFinal();
  }

  private static byte[] i64(long v) {
    byte[] r = new byte[8];
    for (int i = 0; i < 8; i++) {
      r[i] = (byte) (v >>> (56 - 8 * i));
    }
    return r;
  }

  private static void str(Mac mac, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    mac.update((byte) (b.length >>> 8));
    mac.update((byte) b.length);
    mac.update(b);
  }

  @Override
  public void close() {
    key.destroy();
  }

  @Override
  public String toString() {
    return "StateAuthenticator[HMAC-SHA256]";
  }
}
