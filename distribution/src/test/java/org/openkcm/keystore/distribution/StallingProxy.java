package org.openkcm.keystore.distribution;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * A fault-injecting TCP proxy in front of a real OpenBao cluster, for one runtime only: several
 * loopback listeners (one per node address the runtime is given), each connection forwarded to the
 * node that is active when it opens (as a load balancer with health checks would), bytes passed
 * unchanged. Once {@linkplain #stallAfter armed}, it lets through the requests whose bytes carry a
 * marker (e.g. the saga intent a write stamps) until their answers begin, then holds every later
 * request unanswered (nothing of it reaches OpenBao): the runtime stops at exactly that step of the
 * saga, without timing, and can then be killed there.
 */
final class StallingProxy implements AutoCloseable {
  private final IntSupplier activePort;
  private final List<ServerSocket> listeners = new ArrayList<>();
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private volatile byte[] marker;
  private volatile int hitsToTrip;
  private final AtomicInteger hits = new AtomicInteger();
  private final AtomicInteger stalled = new AtomicInteger();
  private final AtomicInteger markedAnswered = new AtomicInteger();
  private volatile boolean tripped;
  private volatile boolean closed;

  /**
   * @param listeners how many addresses to offer
   * @param activePort the port of the node to forward a new connection to (-1: none known)
   */
  StallingProxy(int listeners, IntSupplier activePort) throws IOException {
    this.activePort = activePort;
    for (int i = 0; i < listeners; i++) {
      ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      this.listeners.add(s);
      Thread t = new Thread(() -> accept(s), "stalling-proxy-accept-" + i);
      t.setDaemon(true);
      t.start();
    }
  }

  /**
   * @return the listeners as a comma-separated {@code BAO_ADDR}
   */
  String addresses() {
    List<String> out = new ArrayList<>();
    for (ServerSocket s : listeners) {
      out.add("http://127.0.0.1:" + s.getLocalPort());
    }
    return String.join(",", out);
  }

  /**
   * Arms the stall: after {@code requests} requests carrying {@code text} went through (each
   * counted once per chunk that holds it), every request begun later is held.
   */
  void stallAfter(String text, int requests) {
    hits.set(0);
    markedAnswered.set(0);
    hitsToTrip = requests;
    marker = text.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * @return how many marked requests went through since armed
   */
  int marked() {
    return hits.get();
  }

  /**
   * @return how many marked requests began to be answered since armed
   */
  int markedAnswered() {
    return markedAnswered.get();
  }

  /**
   * @return how many requests were held after the stall began
   */
  int stalled() {
    return stalled.get();
  }

  private void accept(ServerSocket s) {
    while (!closed) {
      Socket client;
      try {
        client = s.accept();
      } catch (IOException e) {
        return;
      }
      Thread t = new Thread(() -> connect(client), "stalling-proxy-conn");
      t.setDaemon(true);
      t.start();
    }
  }

  private void connect(Socket client) {
    sockets.add(client);
    int port = activePort.getAsInt();
    Socket upstream = new Socket();
    try {
      if (port < 0) {
        throw new IOException("no active node");
      }
      upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
    } catch (IOException e) {
      closeQuietly(client);
      closeQuietly(upstream);
      sockets.remove(client);
      return;
    }
    sockets.add(upstream);
    Connection c = new Connection();
    Thread back = new Thread(() -> back(upstream, client, c), "stalling-proxy-back");
    back.setDaemon(true);
    back.start();
    forth(client, upstream, c);
  }

  /** What one connection is allowed: a marked request passes until its answer begins. */
  private static final class Connection {
    volatile boolean markedInFlight;
  }

  private void forth(Socket client, Socket upstream, Connection c) {
    byte[] buf = new byte[16384];
    byte[] tail = new byte[0];
    try (InputStream in = client.getInputStream();
        OutputStream out = upstream.getOutputStream()) {
      int n;
      while ((n = in.read(buf)) > 0) {
        if (tripped && !c.markedInFlight) {
          stalled.incrementAndGet();
          hold(client);
          return;
        }
        byte[] m = marker;
        if (m != null) {
          byte[] window = new byte[tail.length + n];
          System.arraycopy(tail, 0, window, 0, tail.length);
          System.arraycopy(buf, 0, window, tail.length, n);
          if (contains(window, m)) {
            c.markedInFlight = true;
            if (hits.incrementAndGet() >= hitsToTrip) {
              tripped = true;
            }
            tail = new byte[0];
          } else {
            int keep = Math.min(window.length, m.length - 1);
            tail = new byte[keep];
            System.arraycopy(window, window.length - keep, tail, 0, keep);
          }
        }
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // either side closed
    } finally {
      if (!tripped || closed) {
        closeQuietly(client);
        closeQuietly(upstream);
      }
    }
  }

  private void back(Socket upstream, Socket client, Connection c) {
    byte[] buf = new byte[16384];
    try (InputStream in = upstream.getInputStream();
        OutputStream out = client.getOutputStream()) {
      int n;
      while ((n = in.read(buf)) > 0) {
        if (c.markedInFlight) {
          c.markedInFlight = false; // its answer begins: the next request on it is a new one
          markedAnswered.incrementAndGet();
        }
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // either side closed
    } finally {
      if (!tripped || closed) {
        closeQuietly(client);
        closeQuietly(upstream);
      }
    }
  }

  /** Keeps the connection open and unanswered until the proxy closes (or the client goes away). */
  private void hold(Socket client) {
    try (InputStream in = client.getInputStream()) {
      byte[] sink = new byte[4096];
      while (!closed && in.read(sink) >= 0) {
        // discard: the request never reaches OpenBao
      }
    } catch (IOException e) {
      // the client died (killed) or the proxy closed
    }
  }

  private static boolean contains(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  @Override
  public void close() {
    closed = true;
    for (ServerSocket s : listeners) {
      try {
        s.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
    sockets.forEach(StallingProxy::closeQuietly);
  }
}
