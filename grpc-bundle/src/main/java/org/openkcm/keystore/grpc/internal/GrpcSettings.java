package org.openkcm.keystore.grpc.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.openkcm.keystore.model.InvalidConfigurationException;
import org.openkcm.keystore.model.Limits;

/**
 * The validated {@link GrpcConfig}. Invalid configuration throws naming the field and changes
 * nothing.
 */
record GrpcSettings(
    String host,
    int port,
    boolean plaintext,
    Path certFile,
    Path keyFile,
    Path clientCaFile,
    ClientTable clients,
    int maxMessageBytes,
    Duration reloadInterval,
    int callThreads,
    boolean reflection,
    Duration retryDelay) {

  static GrpcSettings from(GrpcConfig c, boolean devMode) throws InvalidConfigurationException {
    String host = c.host().trim();
    if (c.port() < 0 || c.port() > 65535) {
      throw new InvalidConfigurationException("grpc.port", c.port() + " is not a TCP port");
    }
    boolean loopback = loopback(host);
    if (c.plaintext() && !(devMode && loopback)) {
      throw new InvalidConfigurationException(
          "grpc.plaintext",
          "plaintext is allowed only in development mode "
              + "(OPENKCM_KEYSTORE_DEV=true) and on a loopback address, not on '"
              + Limits.printable(host)
              + "'");
    }
    Path cert = c.plaintext() ? null : file("grpc.certFile", c.certFile());
    Path key = c.plaintext() ? null : file("grpc.keyFile", c.keyFile());
    Path ca = c.plaintext() ? null : file("grpc.clientCaFile", c.clientCaFile());
    if (c.maxMessageBytes() < 1024 || c.maxMessageBytes() > 64 * 1024 * 1024) {
      throw new InvalidConfigurationException(
          "grpc.maxMessageBytes", "must be between 1024 and 67108864");
    }
    if (c.callThreads() < 1 || c.callThreads() > 512) {
      throw new InvalidConfigurationException("grpc.callThreads", "must be between 1 and 512");
    }
    return new GrpcSettings(
        host,
        c.port(),
        c.plaintext(),
        cert,
        key,
        ca,
        ClientTable.parse(c.clients()),
        c.maxMessageBytes(),
        duration("grpc.reloadInterval", c.reloadInterval()),
        c.callThreads(),
        c.reflection() && devMode,
        duration("grpc.retryDelay", c.retryDelay()));
  }

  /**
   * @return whether a change from {@code old} needs a new listening server (clients and file
   *     contents do not)
   */
  boolean needsRestart(GrpcSettings old) {
    return old == null
        || !host.equals(old.host)
        || port != old.port
        || plaintext != old.plaintext
        || maxMessageBytes != old.maxMessageBytes
        || callThreads != old.callThreads
        || reflection != old.reflection
        || !java.util.Objects.equals(certFile, old.certFile)
        || !java.util.Objects.equals(keyFile, old.keyFile)
        || !java.util.Objects.equals(clientCaFile, old.clientCaFile)
        || !retryDelay.equals(old.retryDelay);
  }

  private static boolean loopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static Path file(String field, String value) throws InvalidConfigurationException {
    if (value == null || value.isBlank()) {
      throw new InvalidConfigurationException(field, "is required with TLS (a PEM file)");
    }
    Path p = Path.of(value.trim());
    if (!java.nio.file.Files.isReadable(p)) {
      throw new InvalidConfigurationException(
          field, "'" + Limits.printable(value) + "' is not a readable file");
    }
    return p;
  }

  static Duration duration(String field, String text) throws InvalidConfigurationException {
    String t = text.trim().toLowerCase(Locale.ROOT);
    try {
      if (t.endsWith("ms")) {
        return positive(field, Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2))));
      } else if (t.endsWith("s")) {
        return positive(field, Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1))));
      } else if (t.endsWith("m")) {
        return positive(field, Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1))));
      }
    } catch (NumberFormatException e) {
      // fall through to the error
    }
    throw new InvalidConfigurationException(
        field, "'" + Limits.printable(text) + "' is not a duration such as 500ms, 5s or 1m");
  }

  private static Duration positive(String field, Duration d) throws InvalidConfigurationException {
    if (d.isNegative() || d.isZero()) {
      throw new InvalidConfigurationException(field, "must be positive");
    }
    return d;
  }

  @Override
  public String toString() {
    return "gRPC "
        + host
        + ":"
        + port
        + (plaintext ? " plaintext (development)" : " TLS 1.3 + client certificates")
        + ", "
        + clients.size()
        + " client(s), max message "
        + maxMessageBytes
        + " B"
        + (reflection ? ", reflection" : "");
  }
}
