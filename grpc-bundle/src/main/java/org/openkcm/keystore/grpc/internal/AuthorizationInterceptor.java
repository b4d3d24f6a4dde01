package org.openkcm.keystore.grpc.internal;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Who is calling and may they call this method: the verified client certificate's names looked up
 * in the {@link ClientTable}, then the method ({@code KeyService/Encrypt}) matched against the
 * client's operation globs. The grant travels in the call's {@link Context} to the endpoints, which
 * check owners. Health is open to every client that passed TLS; reflection exists only in
 * development mode.
 */
final class AuthorizationInterceptor implements ServerInterceptor {
  static final Context.Key<ClientGrant> GRANT = Context.key("openkcm.keystore.grant");
  private static final String PACKAGE = "openkcm.keystore.v1.";

  private final Supplier<ClientTable> table;
  private final StatusMapper errors;

  AuthorizationInterceptor(Supplier<ClientTable> table, StatusMapper errors) {
    this.table = table;
    this.errors = errors;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    if (!method.startsWith(PACKAGE)) {
      return next.startCall(call, headers); // grpc.health.v1 and, in development mode, reflection
    }
    String operation = method.substring(PACKAGE.length());
    List<String> names = identities(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
    Optional<ClientGrant> grant = table.get().grantFor(names);
    CallAccounting.Record record = CallAccounting.RECORD.get();
    if (record != null) {
      record.actor(
          grant.map(ClientGrant::identity).orElse(names.isEmpty() ? "unverified" : names.get(0)));
    }
    if (grant.isEmpty()) {
      return refuse(call, errors.denied("this client is not in the authorization table"));
    }
    if (!grant.get().mayCall(operation)) {
      return refuse(call, errors.denied("this client may not call " + operation));
    }
    return Contexts.interceptCall(
        Context.current().withValue(GRANT, grant.get()), call, headers, next);
  }

  private static List<String> identities(SSLSession session) {
    if (session == null) {
      return List.of(ClientIdentity.ANONYMOUS); // plaintext: development mode on loopback only
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      if (chain.length > 0 && chain[0] instanceof X509Certificate leaf) {
        return ClientIdentity.candidates(leaf);
      }
    } catch (SSLPeerUnverifiedException e) {
      // the handshake requires a certificate; without one nothing matches
    }
    return List.of();
  }

  private static <Q, R> ServerCall.Listener<Q> refuse(
      ServerCall<Q, R> call, StatusRuntimeException e) {
    call.close(e.getStatus(), e.getTrailers() == null ? new Metadata() : e.getTrailers());
    return new ServerCall.Listener<>() {};
  }
}
