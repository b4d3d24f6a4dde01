package org.openkcm.keystore.audit.internal;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A writer process for the kill test: 8 threads append as fast as they can and print {@code ACK n}
 * for each entry whose append returned (the acknowledgement an operation's caller would get).
 */
public final class AuditWriterMain {
  private AuditWriterMain() {}

  public static void main(String[] args) throws Exception {
    FileAuditSink sink = Trails.sink(Path.of(args[0]), 256 * 1024, 100);
    AtomicInteger next = new AtomicInteger();
    PrintStream out =
        new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true);
    Thread[] threads = new Thread[8];
    for (int t = 0; t < threads.length; t++) {
      threads[t] =
          new Thread(
              () -> {
                while (true) {
                  int n = next.incrementAndGet();
                  try {
                    sink.append(Trails.event(n));
                  } catch (Exception e) {
                    continue;
                  }
                  synchronized (out) {
                    out.println("ACK " + n);
                  }
                }
              });
      threads[t].start();
    }
    threads[0].join();
  }
}
