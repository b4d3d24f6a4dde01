package org.openkcm.keystore.core.internal.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The tables of the core's settings in docs/core.md are generated from the components' metatype,
 * the same source the bridge validates with: this test regenerates them and fails if the document
 * differs. {@code -Ddocs.regenerate=true} writes the regenerated tables into the document instead.
 */
class ConfigDocsTableTest {
  private static final Path DOC = Path.of("..", "docs", "core.md");
  private static final Pattern BLOCK =
      Pattern.compile(
          "<!-- BEGIN generated: (\\w+) [^>]*-->\\n.*?<!-- END generated: \\1 -->", Pattern.DOTALL);

  static String table(ConfigSchema.Section s) {
    StringBuilder b = new StringBuilder();
    b.append("<!-- BEGIN generated: ")
        .append(s.path())
        .append(" (from the component's metatype: ConfigDocsTableTest) -->\n");
    b.append("`").append(s.path()).append("` (PID `").append(s.pid()).append("`)\n\n");
    b.append("| field | environment variable | type | default | meaning |\n");
    b.append("| --- | --- | --- | --- | --- |\n");
    for (MetatypeFields.Field f : s.metatype()) {
      String aliases =
          s.aliases().entrySet().stream()
              .filter(a -> a.getValue().equals(f.id()))
              .map(Map.Entry::getKey)
              .map(a -> " (alias `" + a + "`)")
              .reduce("", String::concat);
      String meaning = f.description().isEmpty() ? f.name() : f.description();
      b.append("| `")
          .append(f.yamlName())
          .append('`')
          .append(aliases)
          .append(" | `")
          .append(f.envName(s.path()))
          .append("` | ")
          .append(typeName(s.fields().get(f.id())))
          .append(" | ")
          .append(f.defaultValue().isEmpty() ? "unset" : "`" + f.defaultValue() + "`")
          .append(" | ")
          .append(meaning.replace("|", "\\|"))
          .append(" |\n");
    }
    b.append("<!-- END generated: ").append(s.path()).append(" -->");
    return b.toString();
  }

  private static String typeName(FieldType t) {
    return switch (t) {
      case INT -> "whole number";
      case BOOLEAN -> "true/false";
      case DURATION -> "duration";
      case LIST -> "list";
      case BACKEND -> "backend name";
      case BACKEND_LIST -> "list of backend names";
      case RULES -> "list of rules (maps or rule strings)";
      case SECRET -> "secret (never configured)";
      default -> "string";
    };
  }

  @Test
  void theSettingsTablesInTheDocsAreTheMetatype() throws Exception {
    String doc = Files.readString(DOC, StandardCharsets.UTF_8);
    Matcher m = BLOCK.matcher(doc);
    StringBuilder regenerated = new StringBuilder();
    int found = 0;
    while (m.find()) {
      String path = m.group(1);
      ConfigSchema.Section s =
          ConfigSchema.CORE.stream().filter(c -> c.path().equals(path)).findFirst().orElseThrow();
      m.appendReplacement(regenerated, Matcher.quoteReplacement(table(s)));
      found++;
    }
    m.appendTail(regenerated);
    assertThat(found)
        .as("one generated table per core section")
        .isEqualTo(ConfigSchema.CORE.size());
    if (Boolean.getBoolean("docs.regenerate")) {
      Files.writeString(DOC, regenerated.toString(), StandardCharsets.UTF_8);
    }
    assertThat(doc)
        .as(
            "docs/core.md's settings tables differ from the metatype; regenerate them with"
                + " ./mvnw -B verify -pl core-bundle -am -Dtest=ConfigDocsTableTest"
                + " -Ddocs.regenerate=true -Dsurefire.failIfNoSpecifiedTests=false")
        .isEqualTo(regenerated.toString());
  }
}
