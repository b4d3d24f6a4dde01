package org.openkcm.keystore.distribution;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.openkcm.keystore.proto.v1.CreateKeyRequest;
import org.openkcm.keystore.proto.v1.KeyListRequest;
import org.openkcm.keystore.proto.v1.KeyServiceGrpc;
import org.openkcm.keystore.proto.v1.KeyTier;
import org.openkcm.keystore.proto.v1.Owner;
import org.openkcm.keystore.proto.v1.OwnerType;

/**
 * A real gRPC client of the runtime over TLS 1.3 with a client certificate made by {@code
 * bin/make-dev-certs}; every call answers the status code the client saw.
 */
final class GrpcTlsClient implements AutoCloseable {
  private final ManagedChannel channel;
  private final KeyServiceGrpc.KeyServiceBlockingStub keys;

  GrpcTlsClient(int port, Path certs, String client) throws SSLException {
    channel =
        NettyChannelBuilder.forAddress("127.0.0.1", port)
            .overrideAuthority("localhost")
            .sslContext(
                GrpcSslContexts.forClient()
                    .keyManager(
                        certs.resolve(client + ".pem").toFile(),
                        certs.resolve(client + "-key.pem").toFile())
                    .trustManager(certs.resolve("ca.pem").toFile())
                    .build())
            .build();
    keys = KeyServiceGrpc.newBlockingStub(channel);
  }

  Status.Code createL2(String owner, String id) {
    return createKey(KeyTier.L2, owner, id);
  }

  Status.Code createKey(KeyTier tier, String owner, String id) {
    return code(
        () ->
            keys.withDeadlineAfter(10, TimeUnit.SECONDS)
                .createKey(
                    CreateKeyRequest.newBuilder()
                        .setTier(tier)
                        .setOwner(Owner.newBuilder().setType(OwnerType.TENANT).setId(owner))
                        .setKeyId(id)
                        .build()));
  }

  Status.Code listKeys() {
    return code(
        () ->
            keys.withDeadlineAfter(10, TimeUnit.SECONDS)
                .listKeys(KeyListRequest.getDefaultInstance()));
  }

  private static Status.Code code(Runnable call) {
    try {
      call.run();
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    channel.awaitTermination(5, TimeUnit.SECONDS);
  }
}
