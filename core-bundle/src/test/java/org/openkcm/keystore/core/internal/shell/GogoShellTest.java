package org.openkcm.keystore.core.internal.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openkcm.keystore.core.internal.backend.Fixtures;
import org.openkcm.keystore.core.internal.cache.CacheSettings;
import org.openkcm.keystore.core.internal.cache.KeyCache;
import org.openkcm.keystore.core.internal.crypto.LocalRootKeyProvider;
import org.openkcm.keystore.core.internal.keys.CryptoKeyService;
import org.openkcm.keystore.inmemory.internal.InMemoryKeystore;
import org.openkcm.keystore.model.KeyFilter;

/** The keystore commands in the real Gogo runtime, typed as an operator types them. */
class GogoShellTest {
  private Fixtures fx;
  private final InMemoryKeystore vault = new InMemoryKeystore("vault", 100);
  private final InMemoryKeystore edge = new InMemoryKeystore("inmemory", 100);
  private LocalRootKeyProvider root;
  private CryptoKeyService core;
  private CommandProcessorImpl processor;
  private CommandSession session;
  private final ByteArrayOutputStream console = new ByteArrayOutputStream();

  @BeforeEach
  void setUp(@TempDir Path dir) throws Exception {
    fx = new Fixtures(new String[] {"tier=L2,L3 -> vault", "tier=L4 -> inmemory"}, "inmemory");
    fx.register("vault", 0, vault);
    fx.register("inmemory", 0, edge);
    root = new LocalRootKeyProvider(dir.resolve("master.key"), n -> null);
    core = new CryptoKeyService(fx.manager(), root, new KeyCache(CacheSettings.defaults()));
    processor = new CommandProcessorImpl();
    KeystoreCommands commands = new KeystoreCommands(fx.manager(), fx.manager(), core);
    for (String f : KeystoreCommands.FUNCTIONS) {
      processor.addCommand("keystore", commands, f);
    }
    processor.addListener(new ShellLineListener());
    PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8);
    session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, out);
  }

  @AfterEach
  void tearDown() throws Exception {
    session.close();
    core.close();
    root.close();
    fx.close();
  }

  private String run(String line) {
    try {
      Object r = session.execute(line);
      return console.toString(StandardCharsets.UTF_8) + (r == null ? "" : r.toString());
    } catch (Exception e) {
      return console.toString(StandardCharsets.UTF_8)
          + "gogo: "
          + e.getClass().getSimpleName()
          + ": "
          + e.getMessage();
    } finally {
      console.reset();
    }
  }

  @Test
  void everyCommandAndEveryParameterIsDescribed() {
    for (Method m : KeystoreCommands.class.getMethods()) {
      if (!KeystoreCommands.FUNCTIONS.contains(m.getName())
          || Modifier.isStatic(m.getModifiers())) {
        continue;
      }
      assertThat(m.getAnnotation(Descriptor.class))
          .as("description of keystore:" + m.getName())
          .isNotNull();
      for (Parameter p : m.getParameters()) {
        assertThat(p.getAnnotation(Descriptor.class))
            .as(m.getName() + " parameter " + p)
            .isNotNull();
      }
    }
    assertThat(KeystoreCommands.class.getMethods())
        .filteredOn(m -> m.getName().equals("create") && m.getParameterCount() == 3)
        .singleElement()
        .satisfies(
            m ->
                assertThat(m.getParameters()[0].getAnnotation(Descriptor.class).value())
                    .contains("L2", "L3", "L4"));
  }

  @Test
  void wrongArityPrintsTheUsageLineInsteadOfCannotCoerce() {
    assertThat(run("keystore:create L2"))
        .doesNotContain("Cannot coerce")
        .contains("usage: keystore:create <tier L2|L3|L4> <type:owner>");
    assertThat(run("keystore:show"))
        .doesNotContain("Cannot coerce")
        .contains("usage: keystore:show <id>[@version]");
    assertThat(run("keystore:get a b"))
        .doesNotContain("Cannot coerce")
        .contains("usage: keystore:get <id>[@version]");
    assertThat(run("keystore:rotate")).contains("usage: keystore:rotate <id>");
    assertThat(run("keystore:destroy")).contains("usage: keystore:destroy <id> [cascade]");
    assertThat(run("keystore:destroy x everything"))
        .contains("usage: keystore:destroy <id> [cascade]");
    assertThat(run("keystore:migrate")).contains("usage: keystore:migrate [--force] <target>");
    assertThat(run("keystore:routes extra")).contains("usage: keystore:routes");
  }

  @Test
  void errorsListTheAcceptedValues() {
    assertThat(run("keystore:create L9 tenant:a")).contains("expected L2, L3 or L4");
    assertThat(run("keystore:list status=GONE"))
        .contains("PRE_ACTIVE", "ACTIVE", "COMPROMISED", "DESTROYED");
    assertThat(run("keystore:check nowhere")).contains("'nowhere'").contains("vault", "inmemory");
    assertThat(run("keystore:list colour=red")).contains("allowed: tier, owner, status");
  }

  @Test
  void aCommandThatWorksStillWorks() throws Exception {
    assertThat(run("keystore:create L2 tenant:acme id=acme")).contains("key:       acme@1");
    assertThat(vault.list(KeyFilter.builder().build()).items()).hasSize(1);
  }

  @Test
  void internalTagsAreNeverShownAsUserTags() {
    run("keystore:create L2 tenant:acme id=acme tag.region=eu");
    run("keystore:create L3 service:billing id=billing parent=acme");
    String list = run("keystore:list");
    assertThat(list).contains("billing@1", "{region=eu}").doesNotContain("openkcm.");
    assertThat(run("keystore:show billing"))
        .contains("parent:    acme@1")
        .contains("tags:      (none)")
        .doesNotContain("openkcm.");
    assertThat(run("keystore:get acme"))
        .contains("tags:      {region=eu}")
        .doesNotContain("openkcm.");
  }

  @Test
  void aSemicolonInsideAnArgumentIsRefusedAndCreatesNothing() throws Exception {
    String out = run("keystore:create L2 tenant:a id=x;y");
    assertThat(out)
        .contains("error: InvalidKeyRequest")
        .contains("';'")
        .contains("Quote the whole argument");
    assertThat(vault.list(KeyFilter.builder().build()).items()).isEmpty();
    assertThat(run("keystore:create L2 tenant:a 'id=x;y'"))
        .contains("error: InvalidKeyRequest: keyId:");
    assertThat(vault.list(KeyFilter.builder().build()).items()).isEmpty();
    // two commands on one line, separated as Gogo means it, still work
    assertThat(run("keystore:create L2 tenant:a id=x; keystore:create L2 tenant:b id=z"))
        .contains("z@1");
    assertThat(vault.list(KeyFilter.builder().build()).items()).hasSize(2);
  }

  @Test
  void anUnquotedGlobGetsAHintToQuoteIt() {
    assertThat(run("keystore:list tag.region=eu-*"))
        .contains("no matches found")
        .contains(
            "hint: Gogo expands * and ? as file names; quote the argument: 'tag.region=eu-*'");
    assertThat(run("keystore:list 'prefix=acme*'"))
        .contains("error: InvalidKeyRequest: prefix:")
        .contains("not a pattern");
    assertThat(run("keystore:show 'acme*'"))
        .contains("error: InvalidKeyRequest")
        .contains("not a pattern");
  }
}
