package org.openkcm.keystore.karaf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the Maven build hands the test as system properties (see the failsafe configuration in the
 * pom).
 */
final class BuildUnderTest {
  private static final String BUNDLE_PREFIX = "karaf.it.bundle.";

  private BuildUnderTest() {}

  static Path distribution() {
    return Path.of(required("karaf.it.distribution"));
  }

  static Path workDir() {
    return Path.of(required("karaf.it.workdir"));
  }

  static Path localRepository() {
    return Path.of(required("karaf.it.localRepository"));
  }

  static Duration timeout() {
    return Duration.ofSeconds(Long.parseLong(required("karaf.it.timeout.seconds")));
  }

  /**
   * Our bundles, the features XML and the .cfg files of this build, where Karaf's mvn: URLs find
   * them.
   */
  static StagingRepository stage(Path root) throws IOException {
    StagingRepository staging =
        new StagingRepository(root, required("karaf.it.groupId"), required("karaf.it.version"));
    for (String key : System.getProperties().stringPropertyNames()) {
      if (key.startsWith(BUNDLE_PREFIX)) {
        staging.put(
            key.substring(BUNDLE_PREFIX.length()), null, "jar", Path.of(System.getProperty(key)));
      }
    }
    String features = required("karaf.it.featuresArtifactId");
    staging.put(features, "features", "xml", featuresFile());
    try (Stream<Path> cfgs = Files.list(Path.of(required("karaf.it.cfgDir")))) {
      for (Path cfg : cfgs.filter(p -> p.toString().endsWith(".cfg")).toList()) {
        staging.put(features, cfg.getFileName().toString().replace(".cfg", ""), "cfg", cfg);
      }
    }
    return staging;
  }

  static String featuresRepositoryUrl(StagingRepository staging) {
    return staging.mvnUrl(required("karaf.it.featuresArtifactId"), "features", "xml");
  }

  /**
   * The features of the repository matching the pattern the build's verify goal resolves, in file
   * order.
   */
  static List<String> selectedFeatures() throws IOException {
    String pattern = required("karaf.it.features");
    Pattern selected = Pattern.compile(pattern.replace(".", "\\.").replace("*", ".*"));
    Matcher m =
        Pattern.compile("<feature name=\"([^\"]+)\"")
            .matcher(Files.readString(featuresFile(), StandardCharsets.UTF_8));
    List<String> names = new ArrayList<>();
    while (m.find()) {
      if (selected.matcher(m.group(1)).matches()) {
        names.add(m.group(1));
      }
    }
    if (names.isEmpty()) {
      throw new IllegalStateException(
          "karaf.it.features='" + pattern + "' selects no feature of " + featuresFile());
    }
    return names;
  }

  private static Path featuresFile() {
    return Path.of(required("karaf.it.featuresFile"));
  }

  private static String required(String property) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank() || value.startsWith("${")) {
      throw new IllegalStateException(
          "system property "
              + property
              + " is not set (run the test through Maven failsafe): "
              + value);
    }
    return value;
  }
}
