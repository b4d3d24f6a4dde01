package org.openkcm.keystore.grpc.internal;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.security.auth.x500.X500Principal;

/**
 * The names a verified client certificate answers to, most specific first: SAN URIs (SPIFFE ids),
 * SAN DNS names, then the subject DN (RFC 2253, e.g. {@code CN=billing,O=acme}). Without TLS
 * (development only) a client is {@value #ANONYMOUS}.
 */
final class ClientIdentity {
  static final String ANONYMOUS = "anonymous";
  private static final int SAN_DNS = 2;
  private static final int SAN_URI = 6;

  private ClientIdentity() {}

  static List<String> candidates(X509Certificate leaf) {
    List<String> uris = new ArrayList<>();
    List<String> dns = new ArrayList<>();
    try {
      Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          Object type = san.get(0);
          if (type instanceof Integer t && t == SAN_URI) {
            uris.add(String.valueOf(san.get(1)));
          } else if (type instanceof Integer t && t == SAN_DNS) {
            dns.add(String.valueOf(san.get(1)));
          }
        }
      }
    } catch (CertificateParsingException e) {
      // no usable SAN: the subject still names the client
    }
    List<String> out = new ArrayList<>(uris);
    out.addAll(dns);
    out.add(leaf.getSubjectX500Principal().getName(X500Principal.RFC2253));
    return out;
  }
}
