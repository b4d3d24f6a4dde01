package org.openkcm.keystore.core.internal.keys;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openkcm.keystore.api.KeyHandle;
import org.openkcm.keystore.core.internal.crypto.ThreadCrypto;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyTier;

/**
 * After a destroy, no live object of this JVM holds the destroyed key's material: a heap dump (live
 * objects only) is searched for it, while another thread that encrypted with the key is still alive
 * holding its per-thread cipher. The material is kept by the test only XOR-masked, so the search
 * never finds the test's own copy.
 */
class DestroyScrubsCiphersTest {
  @TempDir Path dir;

  @Test
  void destroyReKeysEveryThreadsCiphersSoNoLiveObjectHoldsTheMaterial() throws Exception {
    try (CoreFixture f = new CoreFixture(dir)) {
      KeyMetadata l2 = f.l2("acme");
      KeyMetadata l3 = f.child(KeyTier.L3, l2.id());
      KeyMetadata l4 = f.child(KeyTier.L4, l3.id());
      byte[] mask = ThreadCrypto.randomBytes(32);
      byte[] masked;
      try (KeyHandle h = f.service.open(l4.ref())) {
        byte[] m = h.copyMaterial();
        masked = xor(m, mask);
        Arrays.fill(m, (byte) 0);
      }
      CountDownLatch used = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread other =
          new Thread(
              () -> {
                try {
                  f.service.encrypt(
                      l4.id(), "on another thread".getBytes(StandardCharsets.UTF_8), null);
                  used.countDown();
                  release.await();
                } catch (Throwable t) {
                  failure.set(t);
                  used.countDown();
                }
              },
              "holds-a-cipher");
      other.start();
      assertThat(used.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(failure.get()).isNull();
      f.service.encrypt(l4.id(), "here".getBytes(StandardCharsets.UTF_8), null);

      f.service.destroy(l4.id(), false);
      long found = occurrencesInLiveHeap(masked, mask);
      release.countDown();
      other.join();
      assertThat(found).as("live copies of the destroyed key's material").isZero();
    }
  }

  private long occurrencesInLiveHeap(byte[] masked, byte[] mask) throws Exception {
    Path dump = dir.resolve("heap.hprof");
    ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
        .dumpHeap(dump.toString(), true);
    long hits = 0;
    byte[] buf = new byte[8 << 20];
    int carry = 0;
    try (InputStream in = Files.newInputStream(dump)) {
      while (true) {
        int n = in.read(buf, carry, buf.length - carry);
        if (n < 0) {
          break;
        }
        int len = carry + n;
        for (int i = 0; i + masked.length <= len; i++) {
          if ((byte) (buf[i] ^ mask[0]) == masked[0] && matches(buf, i, masked, mask)) {
            hits++;
          }
        }
        carry = Math.min(masked.length - 1, len);
        System.arraycopy(buf, len - carry, buf, 0, carry);
      }
    } finally {
      Files.deleteIfExists(dump);
    }
    return hits;
  }

  private static boolean matches(byte[] buf, int at, byte[] masked, byte[] mask) {
    for (int j = 0; j < masked.length; j++) {
      if ((byte) (buf[at + j] ^ mask[j]) != masked[j]) {
        return false;
      }
    }
    return true;
  }

  private static byte[] xor(byte[] a, byte[] b) {
    byte[] out = new byte[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = (byte) (a[i] ^ b[i]);
    }
    return out;
  }
}
