package org.openkcm.keystore.core.internal.backend;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.openkcm.keystore.api.BackendPools;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.spi.Keystore;

/**
 * Runs the calls to one backend under a deadline, on that backend's own bounded pool of worker
 * threads.
 *
 * <p>Why a pool per backend: a caller thread never blocks longer than the deadline, because the
 * call runs on a worker and the caller only waits for its future. A hung backend keeps its workers
 * (we interrupt them on timeout, but a backend may ignore that), so at most {@code
 * maxConcurrentCalls} threads and {@code maxQueuedCalls} queued calls are ever tied up by it; past
 * that, calls to it fail at once with {@link BackendUnavailableException} instead of piling up.
 * Other backends have their own pools and are not affected (a bulkhead). Memory and threads stay
 * bounded whatever a backend does.
 *
 * <p>Backends whose service declares {@value BackendServices#INLINE_PROPERTY}{@code =true}, or
 * listed in {@code plugins.inlineBackends}, are called on the caller's thread: for a map lookup the
 * hand-off would cost about a hundred times the call itself, and such a backend does no I/O that
 * could hang. Everything else below still applies to them.
 *
 * <p>Backends whose service declares {@value BackendServices#INTERRUPTIBLE_PROPERTY}{@code =true}
 * (every wait in their calls ends on an interrupt, as OpenBao's HTTP client's do) are called on the
 * caller's thread too, but keep the deadline and the limits: a {@link Bulkhead} admits at most
 * {@code maxConcurrentCalls} callers into the backend and lets {@code maxQueuedCalls} wait, and a
 * {@link Watchdog} interrupts a caller whose call passed its deadline. That saves the two thread
 * wake-ups of the worker hand-off on every call (tens to hundreds of microseconds on a loaded
 * machine), which is most of what the core added to a remote read. {@code plugins.workerBackends}
 * sends such a backend back to its workers.
 *
 * <p>This is one attempt; a request's retries ({@link Request}) and its write read-back ({@link
 * WriteReadBack}) are made of such attempts, and the whole request is one outcome for the backend's
 * circuit breaker ({@link #gated}).
 */
final class CallGuard implements AutoCloseable {

  /** One call against a backend service. */
  @FunctionalInterface
  interface Call<T> {
    T call(Keystore service) throws KeystoreException;
  }

  private final String name;
  private final BackendServices services;
  private final Supplier<PluginSettings> settings;
  private final Consumer<KeystoreException> failures;
  private final AtomicInteger threads = new AtomicInteger();
  private final AtomicLong rejected = new AtomicLong();
  private final CircuitBreaker breaker;
  private ThreadPoolExecutor executor;
  private PluginSettings executorSettings;
  private volatile Bulkhead bulkhead;
  private volatile Watchdog watchdog;
  private volatile boolean closed;

  CallGuard(
      String name,
      BackendServices services,
      Supplier<PluginSettings> settings,
      Consumer<KeystoreException> failures) {
    this.name = name;
    this.services = services;
    this.settings = settings;
    this.failures = failures;
    this.breaker = new CircuitBreaker(name, System::nanoTime);
  }

  CircuitBreaker breaker() {
    return breaker;
  }

  String name() {
    return name;
  }

  /**
   * @return the service calls go to now, or {@code null} when none is registered
   */
  Keystore currentService() {
    return services.best(name);
  }

  /**
   * One attempt: the best service of this name (waiting within the absent wait for one to arrive),
   * called under {@code timeout}; {@code onService} learns which service it was. A transient
   * failure is reported to the health record. Retries and the circuit breaker are the request's
   * ({@link Request}, {@link GuardedKeystore}).
   */
  <T> T attempt(KeyRef ref, Duration timeout, Call<T> call, Consumer<Keystore> onService)
      throws KeystoreException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      Keystore service = acquire(ref, deadline, timeout);
      onService.accept(service);
      return invoke(service, ref, call, deadline, timeout);
    } catch (KeystoreException e) {
      if (e.isTransient()) {
        failures.accept(e);
      }
      throw e;
    }
  }

  /**
   * Runs a whole request under this backend's circuit breaker: while it is open the request fails
   * at once; its outcome, however many attempts it made, counts once.
   */
  <T> T gated(KeyRef ref, Body<T> body) throws KeystoreException {
    PluginSettings s = settings.get();
    CircuitBreaker.Permit permit;
    try {
      permit = breaker.admit(s.breakerFailures(), ref);
    } catch (BackendUnavailableException e) {
      failures.accept(e);
      throw e;
    }
    try {
      T result = body.run();
      breaker.success(permit);
      return result;
    } catch (KeystoreException e) {
      // Only "no usable answer" (deadline, connection, overload, crash) counts: a sealed backend or
      // a missing key is a fast, exact answer the caller must see as such.
      if (e instanceof BackendUnavailableException) {
        breaker.failure(permit, s.breakerFailures(), s.breakerOpenTime());
      } else {
        breaker.success(permit);
      }
      throw e;
    } catch (RuntimeException | Error e) {
      breaker.failure(permit, s.breakerFailures(), s.breakerOpenTime());
      throw e;
    }
  }

  /** A request's attempts, run under the breaker. */
  @FunctionalInterface
  interface Body<T> {
    T run() throws KeystoreException;
  }

  /**
   * @return the best service of this name, waiting (within the deadline and the absent wait) for
   *     one to arrive
   */
  private Keystore acquire(KeyRef ref, long deadline, Duration timeout)
      throws BackendUnavailableException {
    long absentWait = settings.get().absentWait().toNanos();
    try {
      Keystore service = services.await(name, Math.min(deadline, System.nanoTime() + absentWait));
      if (service == null) {
        throw new BackendUnavailableException(
            name,
            ref,
            "no Keystore service named '" + name + "' is registered",
            timeout,
            null,
            true);
      }
      return service;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BackendUnavailableException(
          name, ref, "interrupted while waiting for the backend", null, null);
    }
  }

  private <T> T invoke(Keystore service, KeyRef ref, Call<T> call, long deadline, Duration timeout)
      throws KeystoreException {
    switch (mode(service)) {
      case INLINE:
        return inline(service, ref, call);
      case CALLER:
        return onCallerThread(service, ref, call, deadline, timeout);
      default:
        break;
    }
    Future<T> future = submit(service, ref, call, timeout);
    try {
      return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw translate(ref, e.getCause());
    } catch (TimeoutException e) {
      future.cancel(true);
      throw noAnswer(ref, timeout);
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new BackendUnavailableException(
          name, ref, "interrupted while waiting for the backend", null, null);
    }
  }

  /**
   * An inline backend (declared or configured as in-process and non-blocking) runs on the caller's
   * thread: no hand-off, and so no deadline; errors are typed the same way.
   */
  private <T> T inline(Keystore service, KeyRef ref, Call<T> call) throws KeystoreException {
    try {
      return call.call(service);
    } catch (KeystoreException e) {
      throw e;
    } catch (RuntimeException | LinkageError | StackOverflowError e) {
      throw translate(ref, e);
    }
  }

  /** Where a backend's calls run. */
  private enum Mode {
    /** on the caller's thread, no deadline: in-process, never blocks */
    INLINE,
    /** on the caller's thread, deadline by interrupt, limits by a bulkhead */
    CALLER,
    /** on the backend's worker pool, the caller waits for the future */
    WORKER
  }

  private Mode mode(Keystore service) {
    PluginSettings s = settings.get();
    if (s.inlineBackends().contains(name) || services.declaresInline(name, service)) {
      return Mode.INLINE;
    }
    if (!s.workerBackends().contains(name) && services.declaresInterruptible(name, service)) {
      return Mode.CALLER;
    }
    return Mode.WORKER;
  }

  /**
   * A call on the caller's own thread under the same guarantees as a worker's: admitted by the
   * bulkhead (or refused at once when it is full), interrupted by the watchdog at the deadline, and
   * then failing as a timed-out worker call does. The thread's interrupt status is as it was.
   */
  private <T> T onCallerThread(
      Keystore service, KeyRef ref, Call<T> call, long deadline, Duration timeout)
      throws KeystoreException {
    Bulkhead gate = bulkhead();
    Watchdog dog = watchdog();
    if (gate == null || dog == null) {
      throw new BackendUnavailableException(
          name, ref, "the plugin manager is stopping", null, null, true);
    }
    Bulkhead.Refusal refused;
    try {
      refused = gate.acquire(deadline);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BackendUnavailableException(
          name, ref, "interrupted while waiting for the backend", null, null);
    }
    if (refused == Bulkhead.Refusal.FULL) {
      rejected.incrementAndGet();
      throw new BackendUnavailableException(
          name,
          ref,
          gate.maxConcurrent
              + " calls in flight and "
              + gate.queued()
              + " queued (backend hung or overloaded)",
          timeout,
          null,
          true);
    }
    if (refused == Bulkhead.Refusal.DEADLINE) {
      throw noAnswer(ref, timeout);
    }
    T result = null;
    KeystoreException failure = null;
    Watchdog.Ticket ticket = dog.watch(deadline);
    try {
      result = call.call(service);
    } catch (KeystoreException e) {
      failure = e;
    } catch (RuntimeException | LinkageError | StackOverflowError e) {
      failure = translate(ref, e);
    } finally {
      boolean late = ticket.finish();
      gate.release();
      if (late && failure != null) {
        // the interrupt ended the call: the caller sees what a timed-out worker call gives
        failure = noAnswer(ref, timeout);
      }
    }
    if (failure != null) {
      throw failure;
    }
    return result;
  }

  private BackendUnavailableException noAnswer(KeyRef ref, Duration timeout) {
    return new BackendUnavailableException(
        name, ref, "no answer within " + timeout.toMillis() + " ms", timeout, null);
  }

  private <T> Future<T> submit(Keystore service, KeyRef ref, Call<T> call, Duration timeout)
      throws BackendUnavailableException {
    ThreadPoolExecutor pool = executor();
    if (pool == null) {
      throw new BackendUnavailableException(
          name, ref, "the plugin manager is stopping", null, null, true);
    }
    for (int attempt = 0; attempt < 2; attempt++) {
      try {
        return pool.submit(() -> call.call(service));
      } catch (RejectedExecutionException e) {
        pool.purge(); // drops calls whose callers gave up, then one more try
      }
    }
    rejected.incrementAndGet();
    throw new BackendUnavailableException(
        name,
        ref,
        pool.getMaximumPoolSize()
            + " calls in flight and "
            + pool.getQueue().size()
            + " queued (backend hung or overloaded)",
        timeout,
        null,
        true);
  }

  private KeystoreException translate(KeyRef ref, Throwable cause) {
    if (cause instanceof KeystoreException k) {
      return k;
    }
    // Never pass a driver/runtime message on: it might quote a request. The type names the failure.
    return new BackendUnavailableException(
        name, ref, "failed with " + cause.getClass().getName(), null, cause);
  }

  /**
   * @return the pool, or {@code null} once closed (a guard kept by a caller must not start threads
   *     again)
   */
  private synchronized ThreadPoolExecutor executor() {
    if (closed) {
      return null;
    }
    PluginSettings s = settings.get();
    if (executor == null
        || executor.isShutdown()
        || executorSettings.maxConcurrentCalls() != s.maxConcurrentCalls()
        || executorSettings.maxQueuedCalls() != s.maxQueuedCalls()) {
      if (executor != null) {
        executor.shutdown(); // running calls finish; new ones go to the new pool
      }
      BlockingQueue<Runnable> queue =
          s.maxQueuedCalls() == 0
              ? new SynchronousQueue<>()
              : new ArrayBlockingQueue<>(s.maxQueuedCalls());
      executor =
          new ThreadPoolExecutor(
              s.maxConcurrentCalls(),
              s.maxConcurrentCalls(),
              30,
              TimeUnit.SECONDS,
              queue,
              r -> {
                Thread t = new Thread(r, "keystore-" + name + "-" + threads.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
      executor.allowCoreThreadTimeOut(true);
      executorSettings = s;
    }
    return executor;
  }

  private Bulkhead bulkhead() {
    Bulkhead b = bulkhead;
    PluginSettings s = settings.get();
    if (b != null
        && !closed
        && b.maxConcurrent == s.maxConcurrentCalls()
        && b.maxQueued == s.maxQueuedCalls()) {
      return b;
    }
    return newBulkhead(s);
  }

  private synchronized Bulkhead newBulkhead(PluginSettings s) {
    if (closed) {
      return null;
    }
    if (bulkhead == null
        || bulkhead.maxConcurrent != s.maxConcurrentCalls()
        || bulkhead.maxQueued != s.maxQueuedCalls()) {
      // calls in flight give their permits back to the one they took them from
      bulkhead = new Bulkhead(s.maxConcurrentCalls(), s.maxQueuedCalls());
    }
    return bulkhead;
  }

  private Watchdog watchdog() {
    Watchdog w = watchdog;
    return w != null && !closed ? w : newWatchdog();
  }

  private synchronized Watchdog newWatchdog() {
    if (closed) {
      return null;
    }
    if (watchdog == null) {
      watchdog = new Watchdog(name);
    }
    return watchdog;
  }

  /**
   * @return calls in this backend now (worker threads busy, or callers inside it): a hung backend
   *     shows here
   */
  synchronized int activeCalls() {
    return (executor == null ? 0 : executor.getActiveCount())
        + (bulkhead == null ? 0 : bulkhead.inUse());
  }

  /**
   * @return how busy this backend's pool is now (the configured limits when no pool was started)
   */
  synchronized BackendPools.Pool pool() {
    PluginSettings s = executor == null ? settings.get() : executorSettings;
    boolean inline =
        settings.get().inlineBackends().contains(name)
            || services.declaresInline(name, services.best(name));
    return new BackendPools.Pool(
        name,
        activeCalls(),
        s.maxConcurrentCalls(),
        (executor == null ? 0 : executor.getQueue().size())
            + (bulkhead == null ? 0 : bulkhead.queued()),
        s.maxQueuedCalls(),
        rejected.get(),
        inline);
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (executor != null) {
      executor.shutdownNow();
    }
    if (watchdog != null) {
      watchdog.close();
    }
  }
}
