package org.openkcm.keystore.webconsole.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slows password guessing per client address: after {@value #FREE_FAILURES} failed logins in a row
 * the address is locked out, for one second after the next failure, doubling with every further
 * failure up to {@value #MAX_LOCK_SECONDS} s. While locked out no password is checked at all, the
 * right one included. A successful login clears the address. Failures are logged with the address
 * (never the password); once locked, only the lock-outs are logged so a guessing run cannot flood
 * the log.
 */
final class LoginThrottle {
  static final int FREE_FAILURES = 5;
  static final long MAX_LOCK_SECONDS = 300;

  /** Bounds the memory an attacker with many addresses can make us hold. */
  static final int MAX_TRACKED = 10_000;

  private static final Logger LOG = LoggerFactory.getLogger(LoginThrottle.class);

  private record Failures(int count, long lockedUntilMillis) {}

  private final Map<String, Failures> clients = new ConcurrentHashMap<>();
  private final LongSupplier clock;

  LoginThrottle(LongSupplier clockMillis) {
    this.clock = clockMillis;
  }

  /**
   * @return how long the client must wait before a login is checked again, 0 if it may try now
   */
  long retryAfterMillis(String client) {
    Failures f = clients.get(client);
    return f == null ? 0 : Math.max(0, f.lockedUntilMillis() - clock.getAsLong());
  }

  void failed(String client) {
    if (clients.size() >= MAX_TRACKED) {
      long now = clock.getAsLong();
      clients.values().removeIf(f -> f.lockedUntilMillis() < now);
      if (clients.size() >= MAX_TRACKED) {
        clients.clear();
      }
    }
    Failures f = clients.merge(client, new Failures(1, 0), (old, one) -> next(old.count() + 1));
    if (f.count() <= FREE_FAILURES) {
      LOG.warn("Failed console login from {} ({} in a row)", client, f.count());
    } else {
      LOG.warn(
          "Failed console login from {} ({} in a row): no login is checked from there for {} s",
          client,
          f.count(),
          (f.lockedUntilMillis() - clock.getAsLong() + 999) / 1000);
    }
  }

  void succeeded(String client) {
    clients.remove(client);
  }

  private Failures next(int count) {
    if (count <= FREE_FAILURES) {
      return new Failures(count, 0);
    }
    long seconds = Math.min(MAX_LOCK_SECONDS, 1L << Math.min(20, count - FREE_FAILURES - 1));
    return new Failures(count, clock.getAsLong() + seconds * 1000);
  }
}
