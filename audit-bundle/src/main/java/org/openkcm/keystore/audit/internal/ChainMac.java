package org.openkcm.keystore.audit.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The chain's MAC: HMAC-SHA256 under a key derived from the root key, over an entry's text, which
 * carries its predecessor's MAC. The derived key is zeroized on {@link #close}; the JCA copy inside
 * {@link Mac} lives as long as this object.
 */
final class ChainMac implements AutoCloseable {
  /** The root-key derivation label of the audit chain key (stable across root key rotation). */
  static final String LABEL = "openkcm-keystore-audit-chain-v1";

  /** The predecessor of the first entry ever written. */
  static final String GENESIS = "0".repeat(64);

  private final byte[] key;
  private final ThreadLocal<Mac> macs;

  ChainMac(byte[] derived) {
    this.key = derived.clone();
    Arrays.fill(derived, (byte) 0);
    this.macs = ThreadLocal.withInitial(this::newMac);
  }

  private Mac newMac() {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(key, "HmacSHA256"));
      return m;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  String of(String text) {
    return HexFormat.of().formatHex(macs.get().doFinal(text.getBytes(StandardCharsets.UTF_8)));
  }

  @Override
  public void close() {
    Arrays.fill(key, (byte) 0);
  }

  @Override
  public String toString() {
    return "ChainMac[redacted]";
  }
}
