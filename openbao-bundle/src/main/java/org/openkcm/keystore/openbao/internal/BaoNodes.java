package org.openkcm.keystore.openbao.internal;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The nodes of one OpenBao cluster and the one requests go to now. A request leaves the node it was
 * sent to when the node cannot have acted on it (refused connection, sealed, a standby that cannot
 * reach an active node, a redirect), whatever the method; when the outcome is unknown (the
 * connection broke after the request left, no answer in time) only a request that may safely run
 * twice (GET, DELETE) is sent again elsewhere, a write fails typed and the next request starts on
 * another node. With one node nothing is retried: the answer is the caller's, as before.
 */
final class BaoNodes {
  /** What an outcome means for the next attempt. */
  enum Outcome {
    /** The answer stands (success or a failure of the request itself). */
    FINAL,
    /** The node did not act on the request: any method may go to another node. */
    NOT_SERVED,
    /** The request may have been acted on: only a repeatable one goes to another node. */
    UNKNOWN
  }

  private final List<URI> nodes;
  private final AtomicInteger preferred = new AtomicInteger();

  /**
   * Whether the preferred node is known to be the active one (named by {@code sys/leader}, a health
   * probe or a redirect). Not after moving on from a failed node: the next node may be a standby,
   * which serves reads from its own copy, behind what the active node acknowledged.
   */
  private volatile boolean confirmed;

  BaoNodes(List<URI> nodes) {
    this.nodes = List.copyOf(nodes);
  }

  int size() {
    return nodes.size();
  }

  URI node(int index) {
    return nodes.get(index);
  }

  /**
   * @return the index of the node requests go to now
   */
  int preferred() {
    return preferred.get();
  }

  /**
   * Leaves {@code failed} for the next node, unless another request already moved on from it.
   *
   * @return the node to try next
   */
  int moveOn(int failed) {
    int next = (failed + 1) % nodes.size();
    confirmed = false;
    return preferred.compareAndSet(failed, next) ? next : preferred.get();
  }

  /** Sends later requests to {@code index} (the active node a health probe or redirect named). */
  void prefer(int index) {
    preferred.set(index);
    confirmed = true;
  }

  /**
   * @return whether the node requests go to is known to be the active one (see {@link #prefer});
   *     with one node always
   */
  boolean confirmed() {
    return confirmed || nodes.size() == 1;
  }

  /**
   * @return the index of the node at {@code location} (a redirect's target), or -1
   */
  int indexOf(String location) {
    if (location == null) {
      return -1;
    }
    try {
      URI target = URI.create(location);
      for (int i = 0; i < nodes.size(); i++) {
        URI n = nodes.get(i);
        if (n.getHost().equalsIgnoreCase(target.getHost()) && n.getPort() == target.getPort()) {
          return i;
        }
      }
    } catch (IllegalArgumentException | NullPointerException notAUri) {
      // a redirect we cannot read: move on in order
    }
    return -1;
  }

  /**
   * @return whether {@code method} may be sent a second time after an unknown outcome
   */
  static boolean repeatable(String method) {
    return "GET".equals(method) || "DELETE".equals(method) || "LIST".equals(method);
  }

  /** Classifies an HTTP answer. */
  static Outcome of(BaoHttp.Answer a) {
    if (a.status == 503 || a.status == 307 || a.status == 308) {
      // sealed, or a standby redirecting or unable to serve: nothing was done
      return Outcome.NOT_SERVED;
    }
    if (a.status == 500) {
      String errors = BaoErrors.errors(a.body).toLowerCase(Locale.ROOT);
      if (errors.contains("node not active") || errors.contains("active cluster node not found")) {
        // a standby that found no active node to forward to (during an election)
        return Outcome.NOT_SERVED;
      }
    }
    return Outcome.FINAL;
  }

  /** Classifies a failed exchange (no HTTP answer). */
  static Outcome of(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ConnectException || t instanceof HttpConnectTimeoutException) {
        // refused or no connection in time (HttpConnectTimeoutException is one): never sent
        return Outcome.NOT_SERVED;
      }
      if (t instanceof InterruptedException || t instanceof java.io.InterruptedIOException) {
        return Outcome.FINAL;
      }
    }
    return failure instanceof java.io.IOException
            || failure.getCause() instanceof java.io.IOException
        ? Outcome.UNKNOWN
        : Outcome.FINAL;
  }
}
