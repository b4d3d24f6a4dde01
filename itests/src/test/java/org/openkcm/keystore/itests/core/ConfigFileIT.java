package org.openkcm.keystore.itests.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.openkcm.keystore.api.RouteView;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyTier;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * config.yaml bridged into ConfigAdmin and watched: an edit re-routes new keys at runtime; a bad
 * file (YAML syntax, unknown tier, unknown field, bad duration) is rejected and the configuration
 * in force stays.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ConfigFileIT extends CoreTestSupport {
  private static final String INITIAL =
      """
            routing:
              rules:
                - {tier: L2, backend: alpha}
                - {tier: [L3, L4], owner: "tenant:eu-*", backend: beta}
              default: beta
            plugins:
              callTimeout: 3s
            """;

  @Configuration
  public Option[] config() throws IOException {
    Path file = Files.createTempDirectory("openkcm-config-it").resolve("config.yaml");
    Files.writeString(file, INITIAL);
    file.getParent().toFile().deleteOnExit();
    file.toFile().deleteOnExit();
    file.resolveSibling("config.yaml.tmp").toFile().deleteOnExit();
    return coreOptions(frameworkProperty("openkcm.keystore.config").value(file.toString()));
  }

  private Path file() {
    return Paths.get(context.getProperty("openkcm.keystore.config"));
  }

  /** Replaces the file the way editors and ConfigMaps do: write aside, then move over it. */
  private void write(String yaml) {
    try {
      Path tmp = file().resolveSibling("config.yaml.tmp");
      Files.writeString(tmp, yaml, StandardCharsets.UTF_8);
      Files.move(tmp, file(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * @return a counter of {@code keystore:config} ("applied", "rejected"), as an operator reads it;
   *     -1 while the command is not there yet
   */
  private long status(String counter) {
    String line = configLine(counter + ":");
    return line == null ? -1 : Long.parseLong(line.trim());
  }

  /**
   * @return the value of one line of {@code keystore:config}, or null
   */
  private String configLine(String label) {
    try {
      for (String line : shell("keystore:config").split("\n")) {
        if (line.startsWith(label)) {
          return line.substring(label.length()).trim();
        }
      }
      return null;
    } catch (Exception e) {
      return null;
    }
  }

  @Test
  public void editingTheFileReroutesNewKeysAndBadEditsAreRejectedKeepingTheOldConfiguration()
      throws Exception {
    register("alpha", 0, new SharedStore("alpha"));
    register("beta", 0, new SharedStore("beta"));
    register("gamma", 0, new SharedStore("gamma"));
    KeyMetadata l2 = key("t1", KeyTier.L2, "tenant:acme");
    KeyMetadata l3eu = key("s1", KeyTier.L3, "tenant:eu-1");
    write(INITIAL);
    await("initial file applied", () -> route(l2).equals("alpha"));
    assertEquals("beta", route(l3eu));

    String current = INITIAL.replace("{tier: L2, backend: alpha}", "{tier: L2, backend: gamma}");
    write(current);
    await("L2 re-routed to gamma at runtime", () -> route(l2).equals("gamma"));
    assertEquals("beta", route(l3eu));
    List<RouteView> inForce = admin().routes();

    for (String bad :
        List.of(
            "routing:\n  rules:\n    - {tier: L2, backend: alpha\n", // YAML syntax
            current.replace(
                "{tier: L2, backend: gamma}", "{tier: L7, backend: alpha}"), // unknown tier
            current.replace(
                "callTimeout: 3s", "callTimeout: 3s\n  callTimout: 4s"), // unknown field
            current.replace("callTimeout: 3s", "callTimeout: quickly"), // bad duration
            current.replace("default: beta", "default: alpha\ncolour: blue"), // unknown section
            current + "backends:\n  inmemory: {maxEntrys: 5}\n")) { // not in the InMemory metatype
      long rejected = status("rejected");
      write(bad);
      await("bad file rejected", () -> status("rejected") > rejected);
      assertEquals(inForce, admin().routes());
      assertEquals("gamma", route(l2));
    }

    long applied = status("applied");
    write(INITIAL);
    await(
        "a good file after bad ones applies again",
        () -> status("applied") > applied && route(l2).equals("alpha"));

    // a section removed from the file: the bridge's configuration of that PID goes, the component's
    // defaults return
    write(INITIAL.substring(0, INITIAL.indexOf("plugins:")));
    await(
        "plugins PID removed",
        () -> pidProperty("org.openkcm.keystore.plugins", "callTimeout") == null);
    assertEquals("alpha", route(l2));
  }

  @Test
  public void deletingTheFileIsReportedLoudlyAndTheLastAppliedRulesStay() throws Exception {
    register("alpha", 0, new SharedStore("alpha"));
    register("beta", 0, new SharedStore("beta"));
    KeyMetadata l2 = key("t9", KeyTier.L2, "tenant:acme");
    write(INITIAL);
    await("initial file applied", () -> route(l2).equals("alpha"));
    List<RouteView> inForce = admin().routes();
    try {
      Files.delete(file());
      await("deletion reported", () -> outcome().startsWith("DELETED at "));
      assertTrue(outcome(), outcome().contains("stays in force until the file is back"));
      assertEquals(inForce, admin().routes());
      assertEquals("alpha", route(l2));
    } finally {
      write(INITIAL);
    }
    await("the file back applies again", () -> outcome().startsWith("applied at "));
  }

  private String outcome() {
    String last = configLine("last:");
    return last == null ? "" : last;
  }

  @Test
  public void theBridgeWritesEachSectionToItsPid() throws Exception {
    write(INITIAL); // tests share one framework and file: start from the initial content
    await(
        "routing PID written", () -> pidProperty("org.openkcm.keystore.routing", "rules") != null);
    await(
        "plugins PID written",
        () -> "3s".equals(pidProperty("org.openkcm.keystore.plugins", "callTimeout")));
    assertEquals(
        "config.yaml", pidProperty("org.openkcm.keystore.plugins", "openkcm.keystore.source"));
    assertTrue(status("applied") >= 1);
  }

  @Test
  public void anEditOutsideTheFileOfASectionTheFileSetsIsRestoredAtOnce() throws Exception {
    write(INITIAL);
    await(
        "plugins PID written",
        () -> "3s".equals(pidProperty("org.openkcm.keystore.plugins", "callTimeout")));
    // what a Web Console save does: update the PID with other values (and without the bridge's
    // marker)
    configure("org.openkcm.keystore.plugins", java.util.Map.of("callTimeout", "9s"));
    await(
        "config.yaml's value restored",
        () ->
            "3s".equals(pidProperty("org.openkcm.keystore.plugins", "callTimeout"))
                && "config.yaml"
                    .equals(
                        pidProperty("org.openkcm.keystore.plugins", "openkcm.keystore.source")));
  }

  @Test
  public void metatypeDescribesTheCorePidsForTheWebConsole() throws Exception {
    await(
        "MetaTypeService",
        () -> !services(org.osgi.service.metatype.MetaTypeService.class, null).isEmpty());
    org.osgi.service.metatype.MetaTypeService mts =
        context.getService(services(org.osgi.service.metatype.MetaTypeService.class, null).get(0));
    org.osgi.service.metatype.MetaTypeInformation info =
        mts.getMetaTypeInformation(installedBundle("openkcm-keystore-core"));
    java.util.Set<String> routing =
        ids(info.getObjectClassDefinition("org.openkcm.keystore.routing", null));
    java.util.Set<String> plugins =
        ids(info.getObjectClassDefinition("org.openkcm.keystore.plugins", null));
    assertEquals(java.util.Set.of("rules", "defaultBackend", "backends", "force"), routing);
    assertTrue(
        plugins.toString(),
        plugins.containsAll(
            java.util.Set.of(
                "callTimeout",
                "absentWait",
                "healthInterval",
                "unhealthyInterval",
                "healthTimeout",
                "degradedLatency",
                "maxConcurrentCalls",
                "inlineBackends")));
  }

  private static java.util.Set<String> ids(org.osgi.service.metatype.ObjectClassDefinition ocd) {
    java.util.Set<String> out = new java.util.HashSet<>();
    for (org.osgi.service.metatype.AttributeDefinition a :
        ocd.getAttributeDefinitions(org.osgi.service.metatype.ObjectClassDefinition.ALL)) {
      out.add(a.getID());
    }
    return out;
  }

  private Object pidProperty(String pid, String name) {
    try {
      org.osgi.service.cm.Configuration[] cs =
          configAdmin().listConfigurations("(service.pid=" + pid + ")");
      return cs == null || cs[0].getProperties() == null ? null : cs[0].getProperties().get(name);
    } catch (IllegalStateException deletedMeanwhile) {
      return null;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private String route(KeyMetadata m) {
    try {
      return routeOf(m);
    } catch (Exception e) {
      return "error: " + e;
    }
  }
}
