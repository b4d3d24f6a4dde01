package org.openkcm.keystore.karaf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A Maven-layout folder holding exactly this build's artifacts (our bundles, the features XML and
 * the example .cfg files), which Karaf's pax-url reads as a default repository. Default
 * repositories are searched before the local repository, so Karaf installs what this reactor just
 * built, never a stale or foreign 0.1.0-SNAPSHOT that some other build put into the shared ~/.m2.
 * Third-party bundles still come from ~/.m2 (the build's verify goal fetched exactly those), so no
 * remote repository is needed.
 */
final class StagingRepository {
  private final Path root;
  private final String groupId;
  private final String version;

  StagingRepository(Path root, String groupId, String version) {
    this.root = root;
    this.groupId = groupId;
    this.version = version;
  }

  Path root() {
    return root;
  }

  /**
   * Copies {@code file} to where {@code mvn:groupId/artifactId/version/type/classifier} resolves.
   */
  void put(String artifactId, String classifier, String type, Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException(
          "artifact " + artifactId + " not built: " + file + " (run the reactor with -am)");
    }
    String name =
        artifactId + "-" + version + (classifier == null ? "" : "-" + classifier) + "." + type;
    Path dir = root.resolve(groupId.replace('.', '/')).resolve(artifactId).resolve(version);
    Files.createDirectories(dir);
    Files.copy(file, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
  }

  String mvnUrl(String artifactId, String classifier, String type) {
    return "mvn:"
        + groupId
        + "/"
        + artifactId
        + "/"
        + version
        + "/"
        + type
        + (classifier == null ? "" : "/" + classifier);
  }
}
