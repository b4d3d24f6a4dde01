package org.openkcm.keystore.pkcs11.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.openkcm.keystore.api.CreateKeyRequest;
import org.openkcm.keystore.api.KeyHandle;
import org.openkcm.keystore.core.internal.backend.BackendDirectory;
import org.openkcm.keystore.core.internal.backend.CallLayer;
import org.openkcm.keystore.core.internal.cache.CacheSettings;
import org.openkcm.keystore.core.internal.cache.KeyCache;
import org.openkcm.keystore.core.internal.crypto.LocalRootKeyProvider;
import org.openkcm.keystore.core.internal.crypto.ThreadCrypto;
import org.openkcm.keystore.core.internal.keys.CryptoKeyService;
import org.openkcm.keystore.inmemory.internal.InMemoryKeystore;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.pkcs11.testing.SoftHsm;
import org.openkcm.keystore.spi.Keystore;
import org.openkcm.keystore.spi.RootKeyProvider;

/**
 * L2 create and uncached L2 open through a real SoftHSM2 token vs the local root key, same run,
 * same JVM: the full core over the real InMemory backend, L2 caching off so every open unwraps
 * through the root. Rounds alternate local and PKCS#11 (300 ms each) so both see the same machine
 * load; the ratio is the median of the per-round latency ratios. Then 8 threads open through the
 * token for 3 s.
 */
public final class Pkcs11BenchMain {
  private static final int KEYS = 2_000;

  private Pkcs11BenchMain() {}

  public static void main(String[] args) throws Exception {
    SoftHsm hsm = SoftHsm.create("ks-bench");
    Pkcs11Settings s =
        new Pkcs11Settings(
            hsm.library,
            hsm.slot,
            0,
            "",
            "bench-root",
            "BENCH_PIN",
            null,
            true,
            "",
            true,
            Duration.ofMillis(500));
    Pkcs11RootKeyProvider pkcs11 =
        new Pkcs11RootKeyProvider(s, n -> n.equals("BENCH_PIN") ? SoftHsm.PIN : null, n -> null);
    String mk = Base64.getEncoder().encodeToString(ThreadCrypto.randomBytes(32));
    LocalRootKeyProvider local = new LocalRootKeyProvider(Path.of("unused.key"), n -> mk);
    CacheSettings noL2 =
        CacheSettings.defaults().with(KeyTier.L2, CacheSettings.policy(0, 1, 1, false));
    Side l = new Side("local", local, noL2);
    Side p = new Side("pkcs11", pkcs11, noL2);

    double createLocal = l.createKeys();
    double createP11 = p.createKeys();
    System.out.printf(
        "L2 create, 1 thread: local %.0f ops/s, pkcs11 %.0f ops/s%n", createLocal, createP11);
    // warm-up
    l.openFor(300);
    p.openFor(300);
    List<Double> ratios = new ArrayList<>();
    double lSum = 0;
    double pSum = 0;
    for (int r = 0; r < 15; r++) {
      double ln = l.openFor(300);
      double pn = p.openFor(300);
      ratios.add(pn / ln);
      lSum += ln;
      pSum += pn;
    }
    ratios.sort(Double::compare);
    System.out.printf(
        "uncached L2 open, 1 thread: local %.1f us, pkcs11 %.1f us (means over 15 rounds); ratio quartiles %.2f-%.2f%n",
        lSum / 15 / 1000, pSum / 15 / 1000, ratios.get(3), ratios.get(11));
    double local8 = l.opsAt(8, 3000);
    double p8 = p.opsAt(8, 3000);
    System.out.printf(
        "uncached L2 open, 8 threads: local %.0f ops/s, pkcs11 %.0f ops/s%n", local8, p8);
    System.out.printf("RESULT pkcs11_l2_open_vs_local_1 %.2f%n", ratios.get(ratios.size() / 2));
    System.out.printf("RESULT pkcs11_l2_open_ops_8 %.0f%n", p8);
    System.out.printf("RESULT pkcs11_l2_create_vs_local_1 %.2f%n", createLocal / createP11);
    System.out.printf("RESULT pkcs11_l2_create_ops_1 %.0f%n", createP11);
    l.core.close();
    p.core.close();
    pkcs11.close();
    local.close();
  }

  private static final class Side {
    final String name;
    final CryptoKeyService core;
    final InMemoryKeystore store = new InMemoryKeystore("inmemory", 100_000);
    final List<KeyRef> refs = new ArrayList<>();

    Side(String name, RootKeyProvider root, CacheSettings settings) {
      this.name = name;
      this.core =
          new CryptoKeyService(new OneBackend(CallLayer.over(store)), root, new KeyCache(settings));
    }

    /**
     * @return L2 creates per second, one thread
     */
    double createKeys() throws KeystoreException {
      long t0 = System.nanoTime();
      for (int i = 0; i < KEYS; i++) {
        KeyMetadata m =
            core.create(CreateKeyRequest.builder(KeyTier.L2, Owner.tenant(name + "-" + i)).build());
        refs.add(m.ref());
      }
      return KEYS / ((System.nanoTime() - t0) / 1e9);
    }

    /**
     * @return mean ns per uncached open over about {@code millis}
     */
    double openFor(long millis) throws KeystoreException {
      long end = System.nanoTime() + millis * 1_000_000;
      long n = 0;
      long t0 = System.nanoTime();
      int i = 0;
      while (System.nanoTime() < end) {
        open(refs.get(i));
        i = (i + 1) % refs.size();
        n++;
      }
      return (System.nanoTime() - t0) / (double) n;
    }

    void open(KeyRef ref) throws KeystoreException {
      try (KeyHandle h = core.open(ref)) {
        byte[] m = h.copyMaterial();
        Arrays.fill(m, (byte) 0);
      }
    }

    double opsAt(int threads, long millis) throws InterruptedException {
      LongAdder done = new LongAdder();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicBoolean failed = new AtomicBoolean();
      CountDownLatch ready = new CountDownLatch(threads);
      List<Thread> ts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int offset = t * 97;
        Thread th =
            new Thread(
                () -> {
                  ready.countDown();
                  int i = offset;
                  while (!stop.get()) {
                    try {
                      open(refs.get(i % refs.size()));
                      done.increment();
                    } catch (KeystoreException e) {
                      failed.set(true);
                      return;
                    }
                    i++;
                  }
                });
        ts.add(th);
        th.start();
      }
      ready.await();
      long t0 = System.nanoTime();
      long before = done.sum();
      Thread.sleep(millis);
      long count = done.sum() - before;
      double secs = (System.nanoTime() - t0) / 1e9;
      stop.set(true);
      for (Thread th : ts) {
        th.join();
      }
      if (failed.get()) {
        throw new IllegalStateException(name + ": an open failed under load");
      }
      return count / secs;
    }
  }

  private record OneBackend(Keystore k) implements BackendDirectory {
    @Override
    public Keystore route(KeyMetadata newKey) {
      return k;
    }

    @Override
    public List<Keystore> configured() {
      return List.of(k);
    }

    @Override
    public Keystore backend(String name) {
      return k;
    }

    @Override
    public Page<KeyMetadata> list(KeyFilter filter) throws KeystoreException {
      return k.list(filter);
    }
  }
}
