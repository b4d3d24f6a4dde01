package org.openkcm.keystore.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The runtime ships a commented default conf/config.yaml: nothing in force, every README section
 * shown.
 */
class ShippedConfigIT {
  private final Path runtime =
      Paths.get(System.getProperty("e2e.runtime", "target/runtime")).toAbsolutePath();
  private final Path repo =
      Paths.get(System.getProperty("e2e.repo", "..")).toAbsolutePath().normalize();

  @Test
  void theRuntimeShipsAFullyCommentedConfigYamlWithEveryReadmeSection() throws Exception {
    Path file = runtime.resolve("conf/config.yaml");
    assertThat(file).isRegularFile();
    String text = Files.readString(file);
    assertThat(text.lines().filter(l -> !l.isBlank()))
        .allMatch(l -> l.startsWith("#"), "every line is a comment");
    assertThat(new Yaml().<Object>load(text)).as("nothing in force: the defaults apply").isNull();

    // uncommented, it is a valid configuration with the README's sections
    String uncommented =
        text.lines()
            .filter(l -> l.startsWith("# "))
            .map(l -> l.substring(2))
            .collect(Collectors.joining("\n"));
    Map<String, Object> sections =
        new Yaml().load(uncommented.substring(uncommented.indexOf("routing:")));
    Matcher m = Pattern.compile("(?m)^([a-zA-Z]+):").matcher(readmeYaml());
    java.util.Set<String> readmeSections = new java.util.TreeSet<>();
    while (m.find()) {
      readmeSections.add(m.group(1));
    }
    assertThat(readmeSections)
        .contains("routing", "backends", "plugins", "reconciler", "cache", "rootKey", "grpc");
    assertThat(sections.keySet()).containsAll(readmeSections);
    assertThat(text).doesNotContainIgnoringCase("token:").doesNotContainIgnoringCase("password");
  }

  /**
   * @return the yaml blocks of the README
   */
  private String readmeYaml() throws Exception {
    String readme = Files.readString(repo.resolve("README.md"));
    StringBuilder b = new StringBuilder();
    Matcher m = Pattern.compile("(?s)```yaml\n(.*?)```").matcher(readme);
    while (m.find()) {
      b.append(m.group(1)).append('\n');
    }
    return b.toString();
  }
}
