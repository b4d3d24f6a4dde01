package org.openkcm.keystore.distribution;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Requests running throughout a hot deploy: one thread GETs a page in a loop and records every
 * answer that is not a complete 200 page. The caller waits on {@link #count()} to see requests
 * before, during and after.
 */
final class ConsoleLoad implements AutoCloseable {
  private final AtomicLong count = new AtomicLong();
  private final List<String> failures = new CopyOnWriteArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;

  ConsoleLoad(ConsoleClient console, String path, String user, String password) {
    thread =
        new Thread(
            () -> {
              while (running) {
                try {
                  HttpResponse<String> r = console.get(path, user, password);
                  if (r.statusCode() != 200
                      || !r.body().contains("</html>")
                      || r.body().contains("Search failed")) {
                    failures.add(r.statusCode() + " " + r.body().length() + " bytes");
                  }
                } catch (Exception e) {
                  if (running) {
                    failures.add(e.toString());
                  }
                }
                count.incrementAndGet();
              }
            },
            "console-load");
    thread.setDaemon(true);
    thread.start();
  }

  long count() {
    return count.get();
  }

  List<String> failures() {
    return List.copyOf(failures);
  }

  @Override
  public void close() {
    running = false;
    try {
      thread.join(15_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
