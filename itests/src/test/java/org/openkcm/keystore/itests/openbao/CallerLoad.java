package org.openkcm.keystore.itests.openbao;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Caller threads that run one KeyService operation back to back until stopped and record every
 * outcome: when it started and ended, and what it threw (the exception class), so a test can say
 * what callers saw before, during and after a fault.
 */
final class CallerLoad implements AutoCloseable {
  /** One call as its caller saw it; {@code failure == null} means success. */
  record Outcome(
      String caller,
      long startNanos,
      long endNanos,
      Class<? extends Throwable> failure,
      Object result) {
    long millis() {
      return TimeUnit.NANOSECONDS.toMillis(endNanos - startNanos);
    }
  }

  /** What a caller does once. */
  @FunctionalInterface
  interface Call {
    Object run() throws Exception;
  }

  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final AtomicBoolean running = new AtomicBoolean(true);
  final List<Outcome> outcomes = new CopyOnWriteArrayList<>();
  final Map<Class<? extends Throwable>, AtomicLong> failures = new ConcurrentHashMap<>();

  void start(String name, Call call) {
    pool.execute(
        () -> {
          while (running.get()) {
            long t0 = System.nanoTime();
            try {
              Object r = call.run();
              outcomes.add(new Outcome(name, t0, System.nanoTime(), null, r));
            } catch (Exception | Error e) {
              outcomes.add(new Outcome(name, t0, System.nanoTime(), e.getClass(), null));
              failures.computeIfAbsent(e.getClass(), k -> new AtomicLong()).incrementAndGet();
            }
          }
        });
  }

  long failuresOf(Class<? extends Throwable> type) {
    AtomicLong n = failures.get(type);
    return n == null ? 0 : n.get();
  }

  /**
   * @return successful calls that started after {@code nanos}
   */
  long successesSince(long nanos) {
    return outcomes.stream().filter(o -> o.failure() == null && o.startNanos() > nanos).count();
  }

  @Override
  public void close() {
    running.set(false);
    pool.shutdown();
    boolean stopped;
    try {
      stopped = pool.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopped = false;
    }
    if (!stopped) {
      pool.shutdownNow();
      throw new AssertionError("callers did not stop within 30 s: a call hangs");
    }
  }
}
