package org.openkcm.keystore.pluginhost.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;

/**
 * The host's AutoMTLS identity, as go-plugin's own host makes it: a fresh ECDSA P-521 key and a
 * self-signed certificate (CN and DNS name {@code localhost}, client and server auth, CA so the
 * plugin can use it as its only trust anchor), made per launch and never written to disk. The JDK
 * has no public certificate builder, so the DER is written here (RFC 5280 fields only).
 */
final class HostCertificate {
  private static final byte[] OID_ECDSA_SHA512 = {
    0x2A, (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 0x04, 0x03, 0x04
  };
  private static final byte[] OID_CN = {0x55, 0x04, 0x03};
  private static final byte[] OID_KEY_USAGE = {0x55, 0x1D, 0x0F};
  private static final byte[] OID_EXT_KEY_USAGE = {0x55, 0x1D, 0x25};
  private static final byte[] OID_BASIC_CONSTRAINTS = {0x55, 0x1D, 0x13};
  private static final byte[] OID_SAN = {0x55, 0x1D, 0x11};
  private static final byte[] OID_CLIENT_AUTH = {0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02};
  private static final byte[] OID_SERVER_AUTH = {0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01};
  private static final DateTimeFormatter GENERALIZED =
      DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'");

  private final PrivateKey key;
  private final X509Certificate certificate;

  private HostCertificate(PrivateKey key, X509Certificate certificate) {
    this.key = key;
    this.certificate = certificate;
  }

  static HostCertificate generate(Duration validity) throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp521r1"));
    KeyPair pair = g.generateKeyPair();
    SecureRandom random = new SecureRandom();
    byte[] name =
        seq(set(seq(oid(OID_CN), tlv(0x0C, "localhost".getBytes(StandardCharsets.US_ASCII)))));
    ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
    byte[] algorithm = seq(oid(OID_ECDSA_SHA512));
    byte[] extensions =
        tlv(
            0xA3,
            seq(
                seq(
                    oid(OID_KEY_USAGE),
                    bool(),
                    octets(
                        tlv(
                            0x03,
                            new byte[] {
                              0x01, (byte) 0xAC
                            }))), // digitalSignature, keyEncipherment, keyAgreement, keyCertSign
                seq(
                    oid(OID_EXT_KEY_USAGE),
                    octets(seq(oid(OID_CLIENT_AUTH), oid(OID_SERVER_AUTH)))),
                seq(
                    oid(OID_BASIC_CONSTRAINTS),
                    bool(),
                    octets(seq(new byte[] {0x01, 0x01, (byte) 0xFF}))),
                seq(
                    oid(OID_SAN),
                    octets(seq(tlv(0x82, "localhost".getBytes(StandardCharsets.US_ASCII)))))));
    byte[] tbs =
        seq(
            tlv(0xA0, tlv(0x02, new byte[] {2})),
            tlv(0x02, new BigInteger(127, random).add(BigInteger.ONE).toByteArray()),
            algorithm,
            name,
            seq(time(now.minusSeconds(30)), time(now.plus(validity))),
            name,
            pair.getPublic().getEncoded(),
            extensions);
    Signature s = Signature.getInstance("SHA512withECDSA");
    s.initSign(pair.getPrivate());
    s.update(tbs);
    byte[] sig = s.sign();
    byte[] bits = new byte[sig.length + 1];
    System.arraycopy(sig, 0, bits, 1, sig.length);
    byte[] der = seq(tbs, algorithm, tlv(0x03, bits));
    X509Certificate cert =
        (X509Certificate)
            CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
    cert.verify(pair.getPublic());
    return new HostCertificate(pair.getPrivate(), cert);
  }

  PrivateKey key() {
    return key;
  }

  X509Certificate certificate() {
    return certificate;
  }

  /**
   * @return the certificate as PEM, for PLUGIN_CLIENT_CERT
   */
  String pem() throws GeneralSecurityException {
    return "-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(certificate.getEncoded())
        + "\n-----END CERTIFICATE-----\n";
  }

  private static byte[] time(ZonedDateTime t) {
    return tlv(0x18, GENERALIZED.format(t).getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] bool() {
    return new byte[] {0x01, 0x01, (byte) 0xFF};
  }

  private static byte[] oid(byte[] body) {
    return tlv(0x06, body);
  }

  private static byte[] octets(byte[] body) {
    return tlv(0x04, body);
  }

  private static byte[] set(byte[]... parts) {
    return tlv(0x31, concat(parts));
  }

  private static byte[] seq(byte[]... parts) {
    return tlv(0x30, concat(parts));
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static byte[] tlv(int tag, byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 6);
    out.write(tag);
    int n = body.length;
    if (n < 0x80) {
      out.write(n);
    } else if (n < 0x100) {
      out.write(0x81);
      out.write(n);
    } else if (n < 0x10000) {
      out.write(0x82);
      out.write(n >> 8);
      out.write(n);
    } else {
      out.write(0x83);
      out.write(n >> 16);
      out.write(n >> 8);
      out.write(n);
    }
    out.writeBytes(body);
    return out.toByteArray();
  }
}
