package org.openkcm.keystore.pluginhost.internal;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;

/**
 * The line a go-plugin plugin prints first on stdout: {@code 1|<app
 * version>|unix|<socket>|grpc|<cert>}, the certificate being the unpadded base64 of its DER leaf.
 * Only protocol 1, Unix sockets, gRPC and a certificate (AutoMTLS) are accepted: anything else is a
 * plugin this host will not talk to.
 */
record Handshake(int appVersion, Path socket, X509Certificate serverCertificate) {
  private static final int MAX_LINE = 16 * 1024;

  static Handshake parse(String line) throws HandshakeException {
    if (line == null) {
      throw new HandshakeException("exited or closed stdout before the handshake");
    }
    if (line.length() > MAX_LINE) {
      throw new HandshakeException("handshake line is too long");
    }
    List<String> parts = List.of(line.trim().split("\\|", -1));
    if (parts.size() != 6 || !parts.get(0).equals("1")) {
      throw new HandshakeException(
          "did not print a go-plugin handshake line (core protocol 1) first; got "
              + parts.size()
              + " fields (print nothing to stdout before plugin.Serve)");
    }
    int version;
    try {
      version = Integer.parseInt(parts.get(1));
    } catch (NumberFormatException e) {
      throw new HandshakeException("handshake: application version is not a number");
    }
    if (version != 1) {
      throw new HandshakeException(
          "handshake: speaks protocol version " + version + ", this host speaks 1");
    }
    if (!parts.get(2).equals("unix")) {
      throw new HandshakeException(
          "handshake: network '"
              + printable(parts.get(2))
              + "', this host dials Unix domain sockets only");
    }
    if (!parts.get(4).equals("grpc")) {
      throw new HandshakeException(
          "handshake: protocol '" + printable(parts.get(4)) + "', this host speaks grpc only");
    }
    Path socket = Path.of(parts.get(3));
    if (!socket.isAbsolute()) {
      throw new HandshakeException("handshake: socket path is not absolute");
    }
    if (parts.get(5).isEmpty()) {
      throw new HandshakeException(
          "handshake: no server certificate (the plugin does not speak AutoMTLS)");
    }
    try {
      byte[] der = Base64.getDecoder().decode(parts.get(5));
      X509Certificate cert =
          (X509Certificate)
              CertificateFactory.getInstance("X.509")
                  .generateCertificate(new ByteArrayInputStream(der));
      cert.checkValidity();
      return new Handshake(version, socket, cert);
    } catch (IllegalArgumentException | CertificateException e) {
      throw new HandshakeException(
          "handshake: server certificate is not a valid X.509 certificate");
    }
  }

  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && i < 32; i++) {
      char c = s.charAt(i);
      b.append(c >= 0x20 && c < 0x7F ? c : '?');
    }
    return b.toString();
  }

  /** A plugin's start failed: the message says why, without anything it printed. */
  static final class HandshakeException extends Exception {
    private static final long serialVersionUID = 1L;

    HandshakeException(String message) {
      super(message);
    }
  }
}
