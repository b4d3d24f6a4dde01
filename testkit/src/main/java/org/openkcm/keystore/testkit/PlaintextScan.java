package org.openkcm.keystore.testkit;

/**
 * Finds key material inside what a backend holds: the check behind every "no plaintext in the
 * backend" assertion, so all of them search the same way.
 */
public final class PlaintextScan {
  private PlaintextScan() {}

  /**
   * @return the first offset of {@code needle} in {@code hay}, or -1 when it does not occur
   */
  public static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
