package org.openkcm.keystore.core.internal.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import org.openkcm.keystore.model.KeyMetadata;

/**
 * Authenticates everything a record's metadata says — identity, status, times, expiry, parent,
 * every tag (saga intents included) — together with the backend revision the write produces, with
 * HMAC-SHA256 under a key derived from the root key ({@link #LABEL}), which no backend ever sees.
 * The result travels as the reserved tag {@value #TAG} = {@code 1.<revision>.<base64url MAC>}.
 * Layout of the MAC input (docs/crypto.md):
 *
 * <pre>
 * "OKST" | u8 version (1) | identity ({@link IdentityAad}) | str status | i64 createdAt | i64 updatedAt
 *        | u8 hasExpiry [i64 expiresAt] | u16 n | n x (str tag name | str tag value) | i64 revision
 * </pre>
 *
 * Tags in name order, {@value #TAG} itself excluded; instants as epoch milliseconds (a backend may
 * keep times at millisecond or microsecond precision). Thread-safe (one Mac per thread); {@link
 * #close()} zeroizes the key.
 */
public final class StateAuthenticator implements AutoCloseable {
  /** HKDF info / the root key provider's HMAC input the state key is derived with. */
  public static final String LABEL = "openkcm-keystore record state v1";

  public static final String TAG = "openkcm.state";
  private static final byte[] MAGIC = {'O', 'K', 'S', 'T'};
  private static final String VERSION = "1";
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
   * @return the {@value #TAG} value for {@code m} (its own {@value #TAG} ignored) written at {@code
   *     revision}
   */
  public String stamp(KeyMetadata m, long revision) {
    return VERSION + "." + revision + "." + B64.encodeToString(mac(m, revision));
  }

  /**
   * @return the revision the tag claims if its MAC verifies for {@code m}, else -1 (also for a
   *     malformed tag)
   */
  public long verify(KeyMetadata m, String tag) {
    if (tag == null) {
      return -1;
    }
    int a = tag.indexOf('.');
    int b = tag.indexOf('.', a + 1);
    if (a < 0 || b < 0 || !VERSION.equals(tag.substring(0, a))) {
      return -1;
    }
    long rev;
    byte[] claimed;
    try {
      rev = Long.parseLong(tag.substring(a + 1, b));
      claimed = Base64.getUrlDecoder().decode(tag.substring(b + 1));
    } catch (IllegalArgumentException e) {
      return -1;
    }
    return rev > 0 && MessageDigest.isEqual(claimed, mac(m, rev)) ? rev : -1;
  }

  private byte[] mac(KeyMetadata m, long revision) {
    Mac mac = macs.get();
    mac.update(MAGIC);
    mac.update((byte) 1);
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
