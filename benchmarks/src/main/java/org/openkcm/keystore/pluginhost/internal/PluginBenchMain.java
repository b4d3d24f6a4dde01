package org.openkcm.keystore.pluginhost.internal;

import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.model.OwnerType;
import org.openkcm.keystore.spi.Keystore;

/**
 * The host side of the plugin benchmark (benchmarks/run-plugin.sh): the reference plugin launched
 * and registered by the host's supervisor, then RetrieveKey and StoreKey through the registered
 * Keystore from N threads. Lives in the host's package to reach its supervisor; on the plain
 * classpath, not in OSGi.
 *
 * <p>Arguments: plugin executable, callers, seconds, warmup seconds.
 */
public final class PluginBenchMain {
  private PluginBenchMain() {}

  public static void main(String[] args) throws Exception {
    Path bin = Path.of(args[0]).toAbsolutePath();
    int callers = Integer.parseInt(args[1]);
    Duration measured = Duration.ofSeconds(Long.parseLong(args[2]));
    Duration warmup = Duration.ofSeconds(Long.parseLong(args[3]));
    Path dir = Files.createTempDirectory("plugin-bench");
    byte[] sum;
    try (InputStream in = Files.newInputStream(bin)) {
      sum = MessageDigest.getInstance("SHA-256").digest(in.readAllBytes());
    }
    PluginSettings s =
        new PluginSettings(
            "bench",
            bin,
            List.of("-db", dir.resolve("ks.db").toString()),
            Map.of(),
            sum,
            "error",
            List.of(),
            false,
            "",
            Duration.ofSeconds(30),
            Duration.ofSeconds(5),
            Duration.ofSeconds(2),
            Duration.ofSeconds(5));
    MultiThreadIoEventLoopGroup group =
        new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    AtomicReference<Keystore> registered = new AtomicReference<>();
    CountDownLatch up = new CountDownLatch(1);
    PluginSupervisor sup =
        new PluginSupervisor(
                s,
                group,
                (k, p) -> {
                  registered.set(k);
                  up.countDown();
                  return () -> {};
                },
                1,
                null)
            .start();
    up.await();
    Keystore ks = registered.get();
    byte[] sealed = new byte[256];
    new java.security.SecureRandom().nextBytes(sealed);
    int records = 1000;
    for (int i = 0; i < records; i++) {
      ks.store(md(String.format("bench-%05d", i)), sealed);
    }
    KeyRef[] refs = new KeyRef[records];
    for (int i = 0; i < records; i++) {
      refs[i] = KeyRef.of(String.format("bench-%05d", i), 1);
    }
    phase(callers, warmup, i -> ks.retrieve(refs[(int) (i % records)]));
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long[] r = phase(callers, measured, i -> ks.retrieve(refs[(int) (i % records)]));
    long cpuPerOp =
        (os.getProcessCpuTime() - cpu0) / 1000 / Math.max(1, r[0] * measured.toSeconds());
    AtomicLong next = new AtomicLong();
    long[] w =
        phase(callers, measured, i -> ks.store(md("store-" + next.incrementAndGet()), sealed));
    System.out.printf(
        "host_retrieve_ops_%d %d%nhost_retrieve_p95_us_%d %d%nhost_retrieve_cpu_us_per_op %d%n"
            + "host_store_ops_%d %d%nhost_store_p95_us_%d %d%n",
        callers, r[0], callers, r[1], cpuPerOp, callers, w[0], callers, w[1]);
    sup.stop();
    group.shutdownGracefully().awaitUninterruptibly();
  }

  interface Op {
    void run(long i) throws Exception;
  }

  /**
   * @return ops/s and p95 in microseconds
   */
  private static long[] phase(int callers, Duration d, Op op) throws Exception {
    long stop = System.nanoTime() + d.toNanos();
    List<Long> lat = Collections.synchronizedList(new ArrayList<>());
    AtomicLong ops = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < callers; w++) {
      int worker = w;
      Thread t =
          new Thread(
              () -> {
                List<Long> mine = new ArrayList<>();
                try {
                  for (long i = worker; System.nanoTime() < stop; i += callers) {
                    long t0 = System.nanoTime();
                    op.run(i);
                    mine.add(System.nanoTime() - t0);
                    ops.incrementAndGet();
                  }
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
                lat.addAll(mine);
              });
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    List<Long> sorted = new ArrayList<>(lat);
    Collections.sort(sorted);
    long p95 = sorted.isEmpty() ? 0 : sorted.get(sorted.size() * 95 / 100) / 1000;
    return new long[] {Math.round(ops.get() / (d.toNanos() / 1e9)), p95};
  }

  private static KeyMetadata md(String id) throws Exception {
    Instant now = Instant.now();
    return KeyMetadata.builder()
        .ref(KeyRef.of(id, 1))
        .tier(KeyTier.L2)
        .algorithm("AES-256-GCM")
        .keySize(256)
        .status(KeyStatus.ACTIVE)
        .owner(Owner.of(OwnerType.TENANT, "bench"))
        .createdAt(now)
        .updatedAt(now)
        .build();
  }
}
