package org.openkcm.keystore.core.internal.backend;

import java.lang.reflect.Proxy;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openkcm.keystore.spi.Keystore;

/**
 * A backend that hangs in every call except {@code info}, and ignores interrupts (as a stuck socket
 * read may), until released: the worst case the call deadline and the bulkhead must survive.
 */
final class Unresponsive implements AutoCloseable {
  private final CountDownLatch release = new CountDownLatch(1);
  final AtomicInteger entered = new AtomicInteger();
  final Keystore keystore;

  Unresponsive(Keystore real) {
    keystore =
        (Keystore)
            Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {Keystore.class},
                (p, m, args) -> {
                  if (!m.getName().equals("info") && m.getDeclaringClass() == Keystore.class) {
                    entered.incrementAndGet();
                    boolean interrupted = false;
                    while (true) {
                      try {
                        if (release.await(60, TimeUnit.SECONDS)) {
                          break;
                        }
                      } catch (InterruptedException e) {
                        interrupted = true; // ignored on purpose, like a stuck driver
                      }
                    }
                    if (interrupted) {
                      Thread.currentThread().interrupt();
                    }
                  }
                  return m.invoke(real, args);
                });
  }

  @Override
  public void close() {
    release.countDown();
  }
}
