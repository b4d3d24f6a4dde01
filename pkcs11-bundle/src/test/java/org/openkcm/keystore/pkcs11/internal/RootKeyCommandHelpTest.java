package org.openkcm.keystore.pkcs11.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.nio.charset.StandardCharsets;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.junit.jupiter.api.Test;

/** {@code keystore:rootkey} explains itself in the real Gogo runtime, as the core's commands do. */
class RootKeyCommandHelpTest {

  @Test
  void everyFormHasADescriptionAndEveryArgumentItsHelp() {
    for (Method m : RootKeyCommands.class.getDeclaredMethods()) {
      if (!Modifier.isPublic(m.getModifiers()) || Modifier.isStatic(m.getModifiers())) {
        continue;
      }
      assertThat(m.getAnnotation(Descriptor.class)).as("description of " + m).isNotNull();
      for (Parameter p : m.getParameters()) {
        assertThat(p.getAnnotation(Descriptor.class)).as(m + " parameter " + p).isNotNull();
      }
    }
  }

  @Test
  void wrongArgumentsPrintTheUsageLineInsteadOfCannotCoerce() throws Exception {
    CommandProcessorImpl processor = new CommandProcessorImpl();
    processor.addCommand("keystore", new RootKeyCommands(null), "rootkey");
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8);
    try (CommandSession session =
        processor.createSession(new ByteArrayInputStream(new byte[0]), out, out)) {
      assertThat(String.valueOf(session.execute("keystore:rootkey status extra")))
          .doesNotContain("Cannot coerce")
          .contains("usage: keystore:rootkey [status|create|rotate]");
      assertThat(String.valueOf(session.execute("keystore:rootkey wipe")))
          .contains("usage: keystore:rootkey [status|create|rotate]");
      assertThat(String.valueOf(session.execute("keystore:rootkey")))
          .contains("the pkcs11 root key provider is not active");
    }
  }
}
