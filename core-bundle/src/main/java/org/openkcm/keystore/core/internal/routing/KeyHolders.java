package org.openkcm.keystore.core.internal.routing;

/**
 * Whether a backend holds keys that would become unreachable if it left the configured set.
 * Implemented by the plugin manager through its guarded backends (deadline, breaker); the routing
 * asks it before it lets a change drop a backend.
 */
public interface KeyHolders {

  /** What a backend holds, as far as can be told now. */
  enum Holding {
    /** Nothing that would be lost: no keys, a volatile backend, or no service right now. */
    NONE,
    /** Keys on a backend that survives restarts. */
    SOME,
    /** A persistent backend that could not be asked: counts as holding keys. */
    UNKNOWN
  }

  Holding holding(String backend);
}
