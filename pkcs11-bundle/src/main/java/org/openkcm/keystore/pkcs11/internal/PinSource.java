package org.openkcm.keystore.pkcs11.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * Reads the user PIN from the environment variable or the file the settings name, each time a
 * session is opened (so a corrected PIN file is picked up without a restart). The PIN never enters
 * a message.
 */
final class PinSource {
  private final String envName;
  private final Path file;
  private final UnaryOperator<String> env;

  PinSource(String envName, Path file, UnaryOperator<String> env) {
    this.envName = envName == null ? "" : envName.trim();
    this.file = file;
    this.env = env;
  }

  /**
   * @return the PIN; the caller wipes it
   */
  char[] read() {
    String fromEnv = envName.isEmpty() ? null : env.apply(envName);
    if (fromEnv != null && !fromEnv.isEmpty()) {
      return fromEnv.toCharArray();
    }
    if (file == null) {
      throw new IllegalStateException(
          "no PIN: environment variable " + envName + " is unset and no pinFile is configured");
    }
    byte[] raw;
    try {
      raw = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalStateException(
          "PIN file " + file + " cannot be read (" + e.getClass().getSimpleName() + ")");
    }
    try {
      int n = raw.length;
      while (n > 0 && (raw[n - 1] == '\n' || raw[n - 1] == '\r')) {
        n--;
      }
      if (n == 0) {
        throw new IllegalStateException("PIN file " + file + " is empty");
      }
      CharBuffer cb = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(raw, 0, n));
      char[] pin = Arrays.copyOf(cb.array(), cb.limit());
      Arrays.fill(cb.array(), '\0');
      return pin;
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  String describe() {
    return file == null
        ? "environment variable " + envName
        : "environment variable " + envName + " or file " + file;
  }
}
