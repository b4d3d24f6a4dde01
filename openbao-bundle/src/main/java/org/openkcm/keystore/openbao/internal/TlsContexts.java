package org.openkcm.keystore.openbao.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds the SSLContext of the shared HttpClient: every certificate of a CA bundle is trusted,
 * client keys may be RSA, EC or Ed25519 (unencrypted PKCS#8), and TLS 1.3 is allowed.
 */
final class TlsContexts {
  private static final Pattern PEM =
      Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
  private static final char[] NO_PASSWORD = new char[0];

  private TlsContexts() {}

  /**
   * @return the context for the settings, the JDK default when no TLS file is configured.
   */
  static SSLContext create(BaoSettings s) {
    try {
      if (s.caFile == null && s.clientCertFile == null) {
        return SSLContext.getDefault();
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(s.caFile == null ? null : trustStore(s.caFile));
      KeyManagerFactory kmf = null;
      if (s.clientCertFile != null) {
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(clientKeyStore(s.clientCertFile, s.clientKeyFile), NO_PASSWORD);
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException | IOException e) {
      // the message names the file only; key bytes never reach it
      throw new IllegalArgumentException(
          "TLS: cannot load " + describe(s) + ": " + e.getClass().getSimpleName(), e);
    }
  }

  private static KeyStore trustStore(Path caFile) throws GeneralSecurityException, IOException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    int i = 0;
    for (Certificate c : certificates(caFile)) {
      ks.setCertificateEntry("ca-" + i++, c);
    }
    if (i == 0) {
      throw new IOException("no CERTIFICATE in CA file");
    }
    return ks;
  }

  private static KeyStore clientKeyStore(Path certFile, Path keyFile)
      throws GeneralSecurityException, IOException {
    List<Certificate> chain = certificates(certFile);
    byte[] der =
        pemBlocks(keyFile, "PRIVATE KEY").stream()
            .findFirst()
            .orElseThrow(
                () -> new IOException("no unencrypted PKCS#8 'PRIVATE KEY' in client key file"));
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("client", privateKey(der), NO_PASSWORD, chain.toArray(new Certificate[0]));
      return ks;
    } finally {
      Arrays.fill(der, (byte) 0);
    }
  }

  private static PrivateKey privateKey(byte[] der) throws GeneralSecurityException {
    GeneralSecurityException last = null;
    for (String alg : new String[] {"RSA", "EC", "Ed25519"}) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        last = e;
      }
    }
    throw last;
  }

  private static List<Certificate> certificates(Path file)
      throws GeneralSecurityException, IOException {
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    List<Certificate> out = new ArrayList<>();
    for (byte[] der : pemBlocks(file, "CERTIFICATE")) {
      out.add(cf.generateCertificate(new ByteArrayInputStream(der)));
    }
    return out;
  }

  private static List<byte[]> pemBlocks(Path file, String type) throws IOException {
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    List<byte[]> out = new ArrayList<>();
    Matcher m = PEM.matcher(text);
    while (m.find()) {
      if (m.group(1).equals(type)) {
        out.add(Base64.getMimeDecoder().decode(m.group(2)));
      }
    }
    return out;
  }

  private static String describe(BaoSettings s) {
    return s.caFile != null
        ? "caFile " + s.caFile + (s.clientCertFile != null ? " / client certificate" : "")
        : "client certificate " + s.clientCertFile;
  }
}
