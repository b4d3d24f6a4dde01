package org.openkcm.keystore.benchmarks.grpc;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import io.grpc.stub.StreamObserver;
import java.io.File;
import java.net.InetSocketAddress;
import org.openkcm.keystore.proto.v1.EncryptRequest;
import org.openkcm.keystore.proto.v1.EncryptResponse;
import org.openkcm.keystore.proto.v1.KeyServiceGrpc;

/**
 * The transport floor for the gRPC benchmark: a bare grpc-java server (same netty-shaded transport,
 * TLS 1.3 with required client certificates, same messages) whose KeyService/Encrypt does no work
 * and echoes the plaintext back as the "ciphertext".
 *
 * <p>Arguments: port certFile keyFile clientCaFile. Runs until killed.
 */
public final class EchoServerMain {
  private EchoServerMain() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    SslContextBuilder ssl =
        GrpcSslContexts.configure(
                SslContextBuilder.forServer(new File(args[1]), new File(args[2])), SslProvider.JDK)
            .trustManager(new File(args[3]))
            .clientAuth(ClientAuth.REQUIRE)
            .protocols("TLSv1.3");
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
            .sslContext(ssl.build())
            .addService(
                new KeyServiceGrpc.KeyServiceImplBase() {
                  @Override
                  public void encrypt(EncryptRequest r, StreamObserver<EncryptResponse> out) {
                    out.onNext(
                        EncryptResponse.newBuilder()
                            .setCiphertext(r.getPlaintext())
                            .setKeyVersion(1)
                            .build());
                    out.onCompleted();
                  }
                })
            .build()
            .start();
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
    server.awaitTermination();
  }
}
