package org.openkcm.keystore.itests.postgres;

import org.junit.runner.notification.RunNotifier;
import org.junit.runners.model.InitializationError;
import org.openkcm.keystore.itests.openbao.OpenBaoPaxExam;

/**
 * {@link OpenBaoPaxExam} (which stops the class's bao) plus stopping the class's PostgreSQL, on the
 * driver side.
 */
public class PostgresPaxExam extends OpenBaoPaxExam {
  public PostgresPaxExam(Class<?> klass) throws InitializationError {
    super(klass);
  }

  @Override
  public void run(RunNotifier notifier) {
    try {
      super.run(notifier);
    } finally {
      PgFixture.stop();
    }
  }
}
