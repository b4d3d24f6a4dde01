package org.openkcm.keystore.grpc.internal;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.openkcm.keystore.api.KeyService;
import org.openkcm.keystore.api.RoutedRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One listening gRPC server with event loops and a call executor of its own, all shut down by
 * {@link #close()}, so a stop or a restart leaves no thread and no port behind.
 */
final class GrpcServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GrpcServer.class);
  private static final int MAX_METADATA_BYTES = 16 * 1024;

  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final ExecutorService calls;
  private final Server server;

  /** Everything the endpoints need. */
  record Parts(
      KeyService keys,
      RoutedRecords records,
      Supplier<ClientTable> clients,
      BackendHealthPublisher health,
      DoorObservers observers) {}

  GrpcServer(GrpcSettings s, ReloadingTls tls, Parts parts) throws IOException {
    boss =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("openkcm-grpc-accept", true), NioIoHandler.newFactory());
    workers =
        new MultiThreadIoEventLoopGroup(
            2, new DefaultThreadFactory("openkcm-grpc-io", true), NioIoHandler.newFactory());
    calls = Executors.newFixedThreadPool(s.callThreads(), named("openkcm-grpc-call-"));
    try {
      StatusMapper errors = new StatusMapper(s.retryDelay());
      Calls unary = new Calls(errors, parts.observers());
      AuthorizationInterceptor authz = new AuthorizationInterceptor(parts.clients(), errors);
      CallAccounting accounting = new CallAccounting(parts.observers());
      NettyServerBuilder b =
          NettyServerBuilder.forAddress(new InetSocketAddress(s.host(), s.port()))
              .bossEventLoopGroup(boss)
              .workerEventLoopGroup(workers)
              .channelType(NioServerSocketChannel.class)
              .executor(calls)
              .maxInboundMessageSize(s.maxMessageBytes())
              .maxInboundMetadataSize(MAX_METADATA_BYTES)
              .permitKeepAliveTime(10, TimeUnit.SECONDS)
              .addService(
                  ServerInterceptors.intercept(
                      new KeyServiceEndpoint(
                          parts.keys(),
                          unary,
                          new OwnerChecks(parts.keys(), errors),
                          new Listings(parts.keys()::list),
                          errors),
                      authz,
                      accounting))
              .addService(
                  ServerInterceptors.intercept(
                      new KeystoreOperationsEndpoint(parts.records(), unary, errors),
                      authz,
                      accounting))
              .addService(parts.health().manager().getHealthService());
      if (tls != null) {
        b.sslContext(tls.context());
      }
      if (s.reflection()) {
        b.addService(ProtoReflectionServiceV1.newInstance());
      }
      server = b.build().start();
    } catch (IOException | RuntimeException e) {
      shutdownExecutors();
      throw e;
    }
    LOG.info("gRPC server listening on {}:{} ({})", s.host(), server.getPort(), s);
  }

  int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
        server.awaitTermination(2, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
    shutdownExecutors();
    LOG.info("gRPC server stopped");
  }

  private void shutdownExecutors() {
    calls.shutdownNow();
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    try {
      calls.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static ThreadFactory named(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
