package org.openkcm.keystore.grpc.internal;

import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.openkcm.keystore.model.InvalidConfigurationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS 1.3 with a required, verified client certificate. The Netty context is built once around
 * managers that delegate to the current key and trust material, so new files take effect for new
 * handshakes while open connections carry on undisturbed. A file that fails to load leaves the
 * previous material in force.
 */
final class ReloadingTls {
  private static final Logger LOG = LoggerFactory.getLogger(ReloadingTls.class);

  private final List<Path> files;
  private volatile TlsMaterial.Managers current;
  private volatile String stamp;

  ReloadingTls(Path certFile, Path keyFile, Path caFile) throws InvalidConfigurationException {
    this.files = List.of(certFile, keyFile, caFile);
    this.stamp = stamp();
    this.current = TlsMaterial.load(certFile, keyFile, caFile);
  }

  SslContext context() throws SSLException {
    SslContextBuilder b =
        GrpcSslContexts.configure(SslContextBuilder.forServer(new Keys()), SslProvider.JDK);
    return b.trustManager(new Trust()).clientAuth(ClientAuth.REQUIRE).protocols("TLSv1.3").build();
  }

  /**
   * @return whether new material was loaded
   */
  boolean reloadIfChanged() {
    String now = stamp();
    if (now.equals(stamp)) {
      return false;
    }
    stamp = now;
    try {
      current = TlsMaterial.load(files.get(0), files.get(1), files.get(2));
      LOG.info("gRPC TLS certificates reloaded from {}", files);
      return true;
    } catch (InvalidConfigurationException e) {
      LOG.error(
          "gRPC TLS certificates not reloaded ({}); the previous ones stay in force",
          e.getMessage());
      return false;
    }
  }

  private String stamp() {
    StringBuilder b = new StringBuilder();
    for (Path p : files) {
      try {
        b.append(Files.getLastModifiedTime(p).toMillis())
            .append('/')
            .append(Files.size(p))
            .append(';');
      } catch (IOException e) {
        b.append("missing;");
      }
    }
    return b.toString();
  }

  private final class Keys extends X509ExtendedKeyManager {
    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return current.keys().getClientAliases(keyType, issuers);
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return current.keys().chooseClientAlias(keyType, issuers, socket);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return current.keys().getServerAliases(keyType, issuers);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return current.keys().chooseServerAlias(keyType, issuers, socket);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      return current.keys().chooseEngineServerAlias(keyType, issuers, engine);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return current.keys().getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return current.keys().getPrivateKey(alias);
    }
  }

  private final class Trust extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      current.trust().checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      current.trust().checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      current.trust().checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      throw new CertificateException("this is a server");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      throw new CertificateException("this is a server");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("this is a server");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return current.trust().getAcceptedIssuers();
    }
  }
}
