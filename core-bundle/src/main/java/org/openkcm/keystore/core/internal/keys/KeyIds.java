package org.openkcm.keystore.core.internal.keys;

import java.util.HexFormat;
import java.util.Locale;
import org.openkcm.keystore.core.internal.crypto.ThreadCrypto;
import org.openkcm.keystore.model.KeyTier;

/**
 * Generated key ids: tier prefix and 128 random bits from the thread's DRBG (not {@code UUID.randomUUID},
 * whose shared SecureRandom contends across threads). Collisions are negligible, so a generated id skips
 * the cross-backend existence check a caller-chosen id needs.
 */
final class KeyIds {
    private static final HexFormat HEX = HexFormat.of();

    private KeyIds() {
    }

    static String random(KeyTier tier) {
        return tier.name().toLowerCase(Locale.ROOT) + "-" + HEX.formatHex(ThreadCrypto.randomBytes(16));
    }
}
