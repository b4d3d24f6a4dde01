package org.openkcm.keystore.spi;

/** Health of a backend as the plugin manager sees it. */
public enum BackendState {
  /** Serving. */
  UP,
  /** Holds its data but cannot serve until an operator unseals it (OpenBao 503 sealed). */
  SEALED,
  /** Unreachable, absent, or failing every call. */
  UNAVAILABLE,
  /** Serving, but slowly or partially (e.g. over its latency budget, a standby, rate limited). */
  DEGRADED
}
