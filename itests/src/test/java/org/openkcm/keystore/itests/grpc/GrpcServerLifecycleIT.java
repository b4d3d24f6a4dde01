package org.openkcm.keystore.itests.grpc;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.openkcm.keystore.itests.KeystoreTestSupport;
import org.openkcm.keystore.proto.v1.InfoRequest;
import org.openkcm.keystore.proto.v1.InfoResponse;
import org.openkcm.keystore.proto.v1.KeystoreOperationsGrpc;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The gRPC server bundle on real Felix + SCR + ConfigAdmin: it serves while its configuration
 * exists, and stopping, starting and reconfiguring it (a new port) leave no listening port and no
 * thread of its own behind. Plaintext on loopback, allowed here because the framework runs in
 * development mode.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class GrpcServerLifecycleIT extends KeystoreTestSupport {
  private static final String BSN = "openkcm-keystore-grpc";
  private static final String PID = "org.openkcm.keystore.grpc";
  private static final String THREAD_PREFIX = "openkcm-grpc-";

  @Inject private ConfigurationAdmin configAdmin;

  @Configuration
  public Option[] config() {
    return new Option[] {
      baseOptions("protobuf", "failureaccess", "guava", "gson", "grpcjava", "proto", "grpc"),
      frameworkProperty("openkcm.keystore.dev").value("true")
    };
  }

  @Test
  public void servesStopsStartsAndMovesPortsWithoutLeakingThreadsOrPorts() throws Exception {
    final int first = freePort();
    configure(first);
    await("gRPC serving on " + first, () -> serving(first));
    assertEquals("routed", info(first).getName());
    assertTrue(
        "reflection lists KeyService in development mode",
        reflectedServices(first).contains("openkcm.keystore.v1.KeyService"));
    int threadsWhileServing = grpcThreads();

    Bundle b = installedBundle(BSN);
    b.stop();
    assertFalse("port closed once the bundle stopped", listening(first));
    await("no gRPC thread left after stop", () -> grpcThreads() == 0);

    b.start();
    await("gRPC serving again after start", () -> serving(first));

    int port = first;
    for (int i = 0; i < 3; i++) {
      int next = freePort();
      configure(next);
      await("gRPC serving on the new port " + next, () -> serving(next));
      int old = port;
      await("old port " + old + " closed", () -> !listening(old));
      port = next;
    }
    int last = port;
    await(
        "thread count back to one server's after restarts",
        () -> grpcThreads() <= threadsWhileServing);

    configAdmin.getConfiguration(PID, "?").delete();
    await("configuration deleted: no server", () -> !listening(last));
    await("no gRPC thread left without configuration", () -> grpcThreads() == 0);
    assertTrue("the bundle stays active without configuration", b.getState() == Bundle.ACTIVE);
  }

  private void configure(int port) throws IOException {
    Dictionary<String, Object> props = new Hashtable<>();
    props.put("host", "127.0.0.1");
    props.put("port", port);
    props.put("plaintext", true);
    props.put("clients", new String[] {"identity=anonymous; owners=tenant:itest; ops=*"});
    configAdmin.getConfiguration(PID, "?").update(props);
  }

  private static boolean serving(int port) {
    ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      return HealthGrpc.newBlockingStub(ch)
              .withDeadlineAfter(2, TimeUnit.SECONDS)
              .check(HealthCheckRequest.getDefaultInstance())
              .getStatus()
          == HealthCheckResponse.ServingStatus.SERVING;
    } catch (RuntimeException e) {
      return false;
    } finally {
      ch.shutdownNow();
    }
  }

  private static InfoResponse info(int port) {
    ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      return KeystoreOperationsGrpc.newBlockingStub(ch)
          .withDeadlineAfter(5, TimeUnit.SECONDS)
          .info(InfoRequest.getDefaultInstance());
    } finally {
      ch.shutdownNow();
    }
  }

  /**
   * @return the service names server reflection lists (development mode only)
   */
  private static java.util.List<String> reflectedServices(int port) throws InterruptedException {
    ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    java.util.List<String> names = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
    try {
      io.grpc.stub.StreamObserver<io.grpc.reflection.v1.ServerReflectionRequest> requests =
          io.grpc.reflection.v1.ServerReflectionGrpc.newStub(ch)
              .withDeadlineAfter(5, TimeUnit.SECONDS)
              .serverReflectionInfo(
                  new io.grpc.stub.StreamObserver<
                      io.grpc.reflection.v1.ServerReflectionResponse>() {
                    @Override
                    public void onNext(io.grpc.reflection.v1.ServerReflectionResponse r) {
                      r.getListServicesResponse()
                          .getServiceList()
                          .forEach(s -> names.add(s.getName()));
                    }

                    @Override
                    public void onError(Throwable t) {
                      done.countDown();
                    }

                    @Override
                    public void onCompleted() {
                      done.countDown();
                    }
                  });
      requests.onNext(
          io.grpc.reflection.v1.ServerReflectionRequest.newBuilder().setListServices("*").build());
      requests.onCompleted();
      done.await(10, TimeUnit.SECONDS);
      return names;
    } finally {
      ch.shutdownNow();
    }
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int grpcThreads() {
    return (int)
        Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.isAlive() && t.getName().startsWith(THREAD_PREFIX))
            .count();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
