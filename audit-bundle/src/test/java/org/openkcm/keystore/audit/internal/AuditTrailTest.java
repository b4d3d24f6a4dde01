package org.openkcm.keystore.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openkcm.keystore.audit.AuditUnavailableException;

/** Fail-closed: no sink that can write means refused operations, unless fail-open is set. */
class AuditTrailTest {
  @TempDir Path dir;

  private FileAuditSink broken() throws Exception {
    return new FileAuditSink(
        dir.resolve("broken.log"),
        () -> {
          throw new IllegalStateException("sealed");
        },
        1 << 20,
        1,
        10_000);
  }

  @Test
  void withoutAnySinkOperationsAreRefused() {
    AuditTrail trail = new AuditTrail(false);
    assertThatThrownBy(() -> trail.admit("key.create"))
        .isInstanceOf(AuditUnavailableException.class)
        .hasMessageContaining("no audit sink is deployed; key.create refused");
    assertThatThrownBy(() -> trail.completed(Trails.event(1)))
        .isInstanceOf(AuditUnavailableException.class);
  }

  @Test
  void aSinkThatFailedRefusesTheNextOperationsAndANotWrittenEntryIsNotAcknowledged()
      throws Exception {
    FileAuditSink sink = broken();
    AuditTrail trail = new AuditTrail(false, sink);
    assertThatCode(() -> trail.admit("key.create")).doesNotThrowAnyException(); // not known yet
    assertThatThrownBy(() -> trail.completed(Trails.event(1)))
        .isInstanceOf(AuditUnavailableException.class);
    assertThatThrownBy(() -> trail.admit("key.create"))
        .isInstanceOf(AuditUnavailableException.class)
        .hasMessageContaining("no audit sink can write");
    sink.close();
  }

  @Test
  void oneWritingSinkIsEnough() throws Exception {
    FileAuditSink bad = broken();
    FileAuditSink good = Trails.sink(dir.resolve("good.log"));
    AuditTrail trail = new AuditTrail(false, bad, good);
    trail.completed(Trails.event(1));
    trail.admit("key.open");
    assertThat(good.verify(null).checked()).isEqualTo(1);
    bad.close();
    good.close();
  }

  @Test
  void failOpenAcknowledgesWithoutAnEntry() throws Exception {
    FileAuditSink sink = broken();
    AuditTrail trail = new AuditTrail(true, sink);
    trail.completed(Trails.event(1));
    trail.admit("key.create");
    sink.close();
  }
}
