package org.openkcm.keystore.testkit;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Owner;

/**
 * Builds test records under a run-unique id prefix, so suites can share one backend (e.g. one
 * OpenBao mount) without seeing each other's keys.
 */
public final class Records {
  private final String prefix;

  public Records() {
    this.prefix = "ck" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()) + "-";
  }

  /**
   * @return the prefix every id made here starts with
   */
  public String prefix() {
    return prefix;
  }

  public String id(String name) {
    return prefix + name;
  }

  public Owner tenant(String name) throws InvalidKeyRequestException {
    return Owner.tenant(prefix + name);
  }

  /**
   * Metadata of version {@code version} of {@code name}, tier and owner as given, parent derived
   * from the tier.
   */
  public KeyMetadata.Builder metadata(String name, int version, KeyTier tier, Owner owner)
      throws InvalidKeyRequestException {
    KeyMetadata.Builder b =
        KeyMetadata.builder()
            .ref(KeyRef.of(id(name), version))
            .tier(tier)
            .owner(owner)
            .status(KeyStatus.ACTIVE)
            .createdAt(Instant.parse("2026-01-01T00:00:00Z"))
            .expiresAt(Instant.parse("2027-01-01T00:00:00Z").truncatedTo(ChronoUnit.MILLIS))
            .tag("suite", "conformance");
    if (tier != KeyTier.L2) {
      b.parent(KeyRef.of(id("parent-of-" + name), 1));
    }
    return b;
  }

  /** Random opaque "sealed" bytes of the given length, standing in for a sealed record. */
  public static byte[] sealed(int length) {
    byte[] b = new byte[length];
    ThreadLocalRandom.current().nextBytes(b);
    return b;
  }
}
