package org.openkcm.keystore.pkcs11.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.openkcm.keystore.model.ConfigDurations;
import org.openkcm.keystore.model.InvalidConfigurationException;

/**
 * Validated settings of the PKCS#11 provider. Holds no PIN, only where to read it from.
 *
 * @param slot slot id, or -1
 * @param slotListIndex index among the slots with a token, used when slot is -1 and tokenLabel
 *     empty
 */
record Pkcs11Settings(
    Path library,
    long slot,
    int slotListIndex,
    String tokenLabel,
    String keyLabel,
    String pinEnv,
    Path pinFile,
    boolean createKey,
    String previousProvider,
    boolean reloadModule,
    Duration reconnectBackoff) {

  static final String GCM = "CKM_AES_GCM";
  static final String KEY_WRAP_PAD = "CKM_AES_KEY_WRAP_PAD";
  static final int MAX_LABEL_BYTES = 64;

  Pkcs11Settings {
    Objects.requireNonNull(library, "library");
    tokenLabel = tokenLabel == null ? "" : tokenLabel.trim();
    keyLabel = checkLabel(keyLabel == null ? "" : keyLabel.trim());
    previousProvider = previousProvider == null ? "" : previousProvider.trim();
    if (previousProvider.equals(Pkcs11RootKeyProvider.NAME)) {
      throw new IllegalArgumentException(
          "previousProvider must name another provider, not " + Pkcs11RootKeyProvider.NAME);
    }
    if (slotListIndex < 0) {
      throw new IllegalArgumentException("slotListIndex must be >= 0");
    }
  }

  static Pkcs11Settings from(Pkcs11Config c, Map<String, ?> raw) {
    for (String forbidden : new String[] {"pin", "userPin", "password"}) {
      if (raw != null && raw.containsKey(forbidden)) {
        throw new IllegalArgumentException(
            "the PIN is never configured in '"
                + forbidden
                + "': set the variable named by pinEnv, or pinFile");
      }
    }
    String mech = c.mechanism() == null ? GCM : c.mechanism().trim();
    if (mech.equals(KEY_WRAP_PAD)) {
      throw new IllegalArgumentException(
          "mechanism "
              + KEY_WRAP_PAD
              + " is not offered through the JDK's SunPKCS11 provider (no AES/KWP cipher); use "
              + GCM
              + ", which binds the record's associated data");
    }
    if (!mech.equals(GCM)) {
      throw new IllegalArgumentException("mechanism must be " + GCM + ", got '" + mech + "'");
    }
    String lib = c.library() == null ? "" : c.library().trim();
    if (lib.isEmpty()) {
      throw new IllegalArgumentException("library must name the PKCS#11 module");
    }
    String pinFile = c.pinFile() == null ? "" : c.pinFile().trim();
    return new Pkcs11Settings(
        Path.of(lib),
        c.slot(),
        c.slotListIndex(),
        c.tokenLabel(),
        c.keyLabel(),
        c.pinEnv(),
        pinFile.isEmpty() ? null : Path.of(pinFile),
        c.createKey(),
        c.previousProvider(),
        c.reloadModule(),
        backoff(c.reconnectBackoff()));
  }

  /**
   * @return how messages name the token: its label when configured, else the slot
   */
  String tokenName() {
    if (!tokenLabel.isEmpty()) {
      return "'" + tokenLabel + "'";
    }
    return slot >= 0 ? "in slot " + slot : "at slot index " + slotListIndex;
  }

  static String checkLabel(String label) {
    if (label.isEmpty()
        || label.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_LABEL_BYTES) {
      throw new IllegalArgumentException("keyLabel must be 1.." + MAX_LABEL_BYTES + " bytes");
    }
    for (int i = 0; i < label.length(); i++) {
      char ch = label.charAt(i);
      if (ch < 0x21 || ch > 0x7e) {
        throw new IllegalArgumentException("keyLabel must be printable ASCII without spaces");
      }
    }
    return label;
  }

  /** At least 1ms, so a zero cannot turn reconnecting into a busy loop. */
  private static Duration backoff(String text) {
    try {
      Duration d = ConfigDurations.parse("reconnectBackoff", text);
      return d.isZero() ? Duration.ofMillis(1) : d;
    } catch (InvalidConfigurationException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }
}
