package org.openkcm.keystore.grpc.internal;

import java.io.IOException;
import java.io.InputStream;
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
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.openkcm.keystore.model.InvalidConfigurationException;

/**
 * Reads the server's PEM certificate chain and PKCS#8 key and the client CA bundle into JSSE
 * managers.
 */
final class TlsMaterial {
  private TlsMaterial() {}

  record Managers(X509ExtendedKeyManager keys, X509ExtendedTrustManager trust) {}

  static Managers load(Path certFile, Path keyFile, Path caFile)
      throws InvalidConfigurationException {
    try {
      Certificate[] chain = certificates("grpc.certFile", certFile).toArray(new Certificate[0]);
      PrivateKey key = privateKey(keyFile);
      char[] pass = new char[0];
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, pass);
      ks.setKeyEntry("server", key, pass, chain);
      KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
      kmf.init(ks, pass);
      KeyStore ts = KeyStore.getInstance("PKCS12");
      ts.load(null, pass);
      int i = 0;
      for (Certificate ca : certificates("grpc.clientCaFile", caFile)) {
        ts.setCertificateEntry("ca" + i++, ca);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
      tmf.init(ts);
      return new Managers(
          only(kmf.getKeyManagers(), X509ExtendedKeyManager.class),
          only(tmf.getTrustManagers(), X509ExtendedTrustManager.class));
    } catch (IOException | GeneralSecurityException e) {
      // the exception text may name a path, never key bytes
      throw new InvalidConfigurationException(
          "grpc.certFile", "TLS material unusable: " + e.getClass().getSimpleName());
    }
  }

  private static Collection<? extends Certificate> certificates(String field, Path file)
      throws InvalidConfigurationException, IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(file)) {
      Collection<? extends Certificate> certs =
          CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certs.isEmpty()) {
        throw new InvalidConfigurationException(field, "holds no certificate");
      }
      return certs;
    }
  }

  private static PrivateKey privateKey(Path file)
      throws IOException, GeneralSecurityException, InvalidConfigurationException {
    String pem = Files.readString(file, StandardCharsets.US_ASCII);
    int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
    int end = pem.indexOf("-----END PRIVATE KEY-----");
    if (begin < 0 || end < begin) {
      throw new InvalidConfigurationException(
          "grpc.keyFile", "must be a PEM PKCS#8 private key (BEGIN PRIVATE KEY)");
    }
    byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
    try {
      PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
      for (String alg : new String[] {"EC", "RSA", "Ed25519"}) {
        try {
          return KeyFactory.getInstance(alg).generatePrivate(spec);
        } catch (java.security.spec.InvalidKeySpecException e) {
          // try the next algorithm
        }
      }
      throw new InvalidConfigurationException("grpc.keyFile", "is not an EC, RSA or Ed25519 key");
    } finally {
      Arrays.fill(der, (byte) 0);
    }
  }

  private static <T> T only(Object[] managers, Class<T> type) throws GeneralSecurityException {
    for (Object m : managers) {
      if (type.isInstance(m)) {
        return type.cast(m);
      }
    }
    throw new GeneralSecurityException("no " + type.getSimpleName());
  }
}
