package org.openkcm.keystore.itests.core;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyTier;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * The keystore:* commands through the real Gogo runtime: names resolve, arguments coerce, errors
 * are one line.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ShellIT extends CoreTestSupport {

  @Configuration
  public Option[] config() {
    return coreOptions();
  }

  private String run(String command) throws Exception {
    await("Gogo", () -> !services(CommandProcessor.class, null).isEmpty());
    CommandProcessor p = context.getService(services(CommandProcessor.class, null).get(0));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
    try (CommandSession s = p.createSession(new ByteArrayInputStream(new byte[0]), ps, ps)) {
      Object result = s.execute(command);
      if (result != null) {
        ps.print(s.format(result, org.apache.felix.service.command.Converter.INSPECT));
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  public void operatorCommandsWorkInTheShell() throws Exception {
    SharedStore vault = new SharedStore("vault");
    register("vault", 0, vault);
    configure(
        "org.openkcm.keystore.routing",
        Map.of("rules", new String[] {"tier=L2 -> vault"}, "defaultBackend", "inmemory"));
    await(
        "keystore commands",
        () -> {
          try {
            return run("keystore:routes").contains("-> vault");
          } catch (Exception e) {
            return false;
          }
        });
    KeyMetadata m = key("shell-key", KeyTier.L2, "tenant:acme", "region", "eu");
    records().store(m, new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef});
    assertTrue(run("keystore:backends").contains("vault"));
    String list = run("keystore:list tier=L2 tag.region=eu");
    assertTrue(list, list.contains("shell-key@1") && list.contains("1 key(s)"));
    String show = run("keystore:show shell-key@1");
    assertTrue(show, show.contains("backend:   vault") && show.contains("4 sealed bytes"));
    assertFalse(show, show.toLowerCase().contains("deadbeef"));
    assertTrue(run("keystore:check vault").contains("UP"));
    String error = run("keystore:show missing");
    assertTrue(error, error.startsWith("error: KeyNotFound:") && error.trim().lines().count() == 1);
    // vault survives restarts, inmemory does not: refused, naming the loss, unless forced
    String refused = run("keystore:migrate inmemory tier=L2");
    assertTrue(
        refused,
        refused.startsWith("error: InvalidKeyRequest:")
            && refused.contains("1 key version(s) of 'vault'"));
    assertTrue(run("keystore:list tier=L2 tag.region=eu").contains("shell-key@1"));
    assertTrue(run("keystore:migrate --force inmemory tier=L2").contains("1 moved"));
    assertTrue(run("keystore:config").contains("file:"));
  }
}
