package org.openkcm.keystore.itests.openbao;

import org.junit.runner.notification.RunNotifier;
import org.junit.runners.model.InitializationError;
import org.ops4j.pax.exam.junit.PaxExam;

/**
 * Pax Exam's runner plus stopping the class's bao server when the class is done. Pax Exam runs
 * {@code @AfterClass} only inside the container, around each test method, so it cannot stop a
 * server the driver owns; this runner runs on the driver side (the container uses its own runner).
 */
public class OpenBaoPaxExam extends PaxExam {
  public OpenBaoPaxExam(Class<?> klass) throws InitializationError {
    super(klass);
  }

  @Override
  public void run(RunNotifier notifier) {
    try {
      super.run(notifier);
    } finally {
      BaoFixture.stop();
    }
  }
}
