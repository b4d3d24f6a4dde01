package org.openkcm.keystore.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Who the writer waits for before a flush, and for how long. */
class CommitWindowTest {
  private static List<Thread> threads(int n) {
    List<Thread> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new Thread(() -> {}));
    }
    return out;
  }

  @Test
  void theCallersOfTheLastFlushAreExpectedBackWithThoseQueuedNow() {
    List<Thread> eight = threads(8);
    CommitWindow w = new CommitWindow();
    w.flushed(eight.subList(0, 4), 200_000);
    // four released by the last flush, the other four queued during it: all eight in one flush
    assertThat(w.expected(eight.subList(4, 8))).isEqualTo(8);
    w.flushed(eight, 200_000);
    assertThat(w.expected(eight.subList(2, 3))).isEqualTo(8);
  }

  @Test
  void aSingleCallerIsNeverWaitedFor() {
    List<Thread> one = threads(1);
    CommitWindow w = new CommitWindow();
    w.flushed(one, 200_000);
    assertThat(w.expected(one)).isEqualTo(1);
  }

  @Test
  void aCallerThatStoppedIsForgottenAfterOneFlush() {
    List<Thread> three = threads(3);
    CommitWindow w = new CommitWindow();
    w.flushed(three, 200_000);
    w.flushed(three.subList(0, 2), 200_000);
    assertThat(w.expected(three.subList(0, 1))).isEqualTo(2);
    w.failed();
    assertThat(w.expected(three.subList(0, 1))).isEqualTo(1);
  }

  @Test
  void theWaitIsHalfTheMeasuredFlushAndBounded() {
    CommitWindow w = new CommitWindow();
    assertThat(w.maxWaitNanos()).isZero(); // nothing measured yet: no wait
    w.flushed(threads(2), 200_000);
    assertThat(w.maxWaitNanos()).isEqualTo(100_000);
    for (int i = 0; i < 100; i++) {
      w.flushed(threads(2), 1_000_000_000L);
    }
    assertThat(w.maxWaitNanos()).isEqualTo(2_000_000L);
  }
}
