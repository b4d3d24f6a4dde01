package org.openkcm.keystore.core.internal.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The config.yaml sections the product's bundles really declare: their {@value
 * SectionDeclarations#RESOURCE} from the test classpath (the backend bundles this module tests
 * with) and from the source of the bundles that depend on the core themselves (PKCS#11, gRPC).
 */
final class InstalledSections {
  private static final List<String> SIBLINGS = List.of("pkcs11-bundle", "grpc-bundle");

  private InstalledSections() {}

  static SectionDeclarations all() {
    try {
      List<DeclaredSection> all = new ArrayList<>();
      for (URL u :
          Collections.list(
              InstalledSections.class
                  .getClassLoader()
                  .getResources(SectionDeclarations.RESOURCE))) {
        try (InputStream in = u.openStream()) {
          all.addAll(SectionDeclarations.read(in));
        }
      }
      for (String sibling : SIBLINGS) {
        Path p = Path.of("..", sibling, "src/main/resources", SectionDeclarations.RESOURCE);
        try (InputStream in = Files.newInputStream(p)) {
          all.addAll(SectionDeclarations.read(in));
        }
      }
      return new SectionDeclarations(all);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
