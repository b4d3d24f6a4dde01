package org.openkcm.keystore.core.internal.backend;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Interrupts a caller's thread whose backend call passed its deadline: the deadline of a call made
 * on the caller's own thread, without handing it to a worker. One daemon thread per backend wakes
 * at the earliest deadline of the calls in flight (and at least every {@link #TICK_NANOS} while any
 * is), so a call is interrupted within about a millisecond of its deadline. Registering and
 * finishing a call costs a set insert and remove; no thread is woken for it, unless its deadline
 * comes before the watchdog's next wake-up (deadlines shorter than the tick) or the watchdog is
 * idle (parked after a second without calls).
 *
 * <p>An interrupt is delivered only while the call is running: a call that finishes first is never
 * interrupted, and a call that loses the race has its thread's interrupt status cleared again
 * ({@link Ticket#finish}), so no stray interrupt reaches the caller's own code.
 */
final class Watchdog implements AutoCloseable {
  static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);

  private static final int RUNNING = 0;
  private static final int DONE = 1;
  private static final int FIRING = 2;
  private static final int FIRED = 3;

  private final Set<Ticket> inFlight = ConcurrentHashMap.newKeySet();
  private final Thread thread;
  private volatile boolean idle;
  private volatile long wakeAt;
  private volatile boolean closed;

  Watchdog(String name) {
    thread = new Thread(this::watch, "keystore-" + name + "-deadlines");
    thread.setDaemon(true);
    thread.start();
  }

  /** One call on a caller's thread, watched until {@link #finish}. */
  final class Ticket {
    private final Thread caller;
    private final long deadline;
    private final AtomicInteger state = new AtomicInteger(RUNNING);

    private Ticket(Thread caller, long deadline) {
      this.caller = caller;
      this.deadline = deadline;
    }

    /**
     * Ends the watch. Called on the caller's thread, in a {@code finally} right after the call.
     *
     * @return whether the deadline passed and the thread was interrupted; its interrupt status is
     *     then cleared
     */
    boolean finish() {
      inFlight.remove(this);
      if (state.compareAndSet(RUNNING, DONE)) {
        return false;
      }
      while (state.get() != FIRED) {
        Thread.onSpinWait(); // the watchdog is between its check and the interrupt: nanoseconds
      }
      Thread.interrupted();
      return true;
    }

    private void fire() {
      if (state.compareAndSet(RUNNING, FIRING)) {
        caller.interrupt();
        state.set(FIRED);
      }
    }
  }

  /**
   * Starts watching the current thread's call until {@code deadlineNanos} ({@link
   * System#nanoTime}).
   */
  Ticket watch(long deadlineNanos) {
    Ticket t = new Ticket(Thread.currentThread(), deadlineNanos);
    inFlight.add(t);
    if (idle || deadlineNanos - wakeAt < 0) {
      LockSupport.unpark(thread);
    }
    return t;
  }

  /**
   * @return calls being watched now
   */
  int inFlight() {
    return inFlight.size();
  }

  private void watch() {
    long lastBusy = System.nanoTime();
    while (!closed) {
      long now = System.nanoTime();
      long next = now + TICK_NANOS;
      wakeAt = next; // before the scan: a call it misses sees a wake-up no later than this
      for (Ticket t : inFlight) {
        if (t.deadline - now <= 0) {
          inFlight.remove(t);
          t.fire();
        } else if (t.deadline - next < 0) {
          next = t.deadline;
        }
      }
      if (!inFlight.isEmpty()) {
        lastBusy = now;
      } else if (now - lastBusy > IDLE_NANOS) {
        idle = true;
        if (inFlight.isEmpty()) {
          LockSupport.park(this); // until a call registers (or close)
        }
        idle = false;
        lastBusy = System.nanoTime();
        continue;
      }
      wakeAt = next;
      LockSupport.parkNanos(this, Math.max(0, next - System.nanoTime()));
    }
  }

  @Override
  public void close() {
    closed = true;
    LockSupport.unpark(thread);
  }
}
