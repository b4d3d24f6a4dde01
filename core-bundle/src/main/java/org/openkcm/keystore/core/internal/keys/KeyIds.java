package org.openkcm.keystore.core.internal.keys;

import java.util.HexFormat;
import java.util.Locale;
import org.openkcm.keystore.core.internal.crypto.ThreadCrypto;
import org.openkcm.keystore.model.KeyTier;

/**
 * Generated key ids: tier prefix and 128 random bits from the thread's DRBG (not {@code
 * UUID.randomUUID}, whose shared SecureRandom contends across threads). Collisions are negligible,
 * so a generated id skips the cross-backend existence check a caller-chosen id needs.
 */
final class KeyIds {
  private static final HexFormat HEX = HexFormat.of();

  private KeyIds() {}

  static String random(KeyTier tier) {
    return tier.name().toLowerCase(Locale.ROOT) + "-" + HEX.formatHex(ThreadCrypto.randomBytes(16));
  }

  /**
   * @return the tier a generated id names ({@code l4-} + 32 hex digits), or null for any other id.
   *     Only a hint for the cache lookup: a caller-chosen id of that shape on another tier merely
   *     misses.
   */
  static KeyTier tierHint(String id) {
    if (id.length() != 35 || id.charAt(0) != 'l' || id.charAt(2) != '-') {
      return null;
    }
    return switch (id.charAt(1)) {
      case '2' -> KeyTier.L2;
      case '3' -> KeyTier.L3;
      case '4' -> KeyTier.L4;
      default -> null;
    };
  }
}
