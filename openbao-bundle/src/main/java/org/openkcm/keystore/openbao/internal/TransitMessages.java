package org.openkcm.keystore.openbao.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Request and response bodies of Transit encrypt/decrypt, built and read as bytes so the DEK never
 * becomes a String on our side (a String cannot be zeroized). The JDK HttpClient keeps short-lived
 * copies we cannot reach; see docs/openbao.md.
 */
final class TransitMessages {
  /** Transit's self-describing ciphertext: {@code vault:v<key version>:<base64>}. */
  static final Pattern CIPHERTEXT = Pattern.compile("vault:v([1-9][0-9]{0,9}):[A-Za-z0-9+/]+=*");

  private static final byte[] PLAINTEXT_FIELD =
      "\"plaintext\":\"".getBytes(StandardCharsets.US_ASCII);

  private TransitMessages() {}

  /**
   * @return {@code {"plaintext":"<b64 dek>","associated_data":"<b64 aad>"}}; the caller zeroizes
   *     it.
   */
  static byte[] encryptRequest(byte[] dek, byte[] aad) {
    byte[] head = "{\"plaintext\":\"".getBytes(StandardCharsets.US_ASCII);
    byte[] tail =
        ("\",\"associated_data\":\"" + Base64.getEncoder().encodeToString(aad) + "\"}")
            .getBytes(StandardCharsets.US_ASCII);
    byte[] b64 = Base64.getEncoder().encode(dek);
    try {
      // one exact-size array, filled in place: no growable buffer leaves a stray copy of the DEK
      byte[] body = new byte[head.length + b64.length + tail.length];
      System.arraycopy(head, 0, body, 0, head.length);
      System.arraycopy(b64, 0, body, head.length, b64.length);
      System.arraycopy(tail, 0, body, head.length + b64.length, tail.length);
      return body;
    } finally {
      Arrays.fill(b64, (byte) 0);
    }
  }

  static byte[] decryptRequest(String ciphertext, byte[] aad) {
    return ("{\"ciphertext\":\""
            + ciphertext
            + "\",\"associated_data\":\""
            + Base64.getEncoder().encodeToString(aad)
            + "\"}")
        .getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * @return the key version a wrapped DEK names, or -1 when it is not a Transit ciphertext.
   */
  static int keyVersion(String ciphertext) {
    Matcher m = CIPHERTEXT.matcher(ciphertext);
    return m.matches() ? Integer.parseInt(m.group(1)) : -1;
  }

  /**
   * @return the DEK decoded straight from the response bytes, or {@code null} if the field is
   *     absent.
   */
  static byte[] plaintext(byte[] body) {
    int start = indexOf(body, PLAINTEXT_FIELD);
    if (start < 0) {
      return null;
    }
    start += PLAINTEXT_FIELD.length;
    int end = start;
    while (end < body.length && body[end] != '"') {
      end++;
    }
    byte[] b64 = Arrays.copyOfRange(body, start, end);
    try {
      return Base64.getDecoder().decode(b64);
    } finally {
      Arrays.fill(b64, (byte) 0);
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
