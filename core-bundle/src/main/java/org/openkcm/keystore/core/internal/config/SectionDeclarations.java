package org.openkcm.keystore.core.internal.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The config.yaml sections declared by the installed bundles ({@link DeclaredSection}), each read
 * from the bundle's resource {@value #RESOURCE}: lines {@code <yaml path>.<attribute> = value},
 * e.g. {@code backends.example.pid = org.openkcm.keystore.example}. Immutable.
 */
final class SectionDeclarations {
  static final String RESOURCE = "OSGI-INF/keystore/config-sections.properties";

  static final SectionDeclarations NONE = new SectionDeclarations(List.of());

  private final Map<String, DeclaredSection> byPath = new LinkedHashMap<>();

  SectionDeclarations(Collection<DeclaredSection> sections) {
    for (DeclaredSection s : sections) {
      if (byPath.putIfAbsent(s.path(), s) != null) {
        throw new IllegalArgumentException(s.path() + ": declared twice");
      }
    }
  }

  /** Parses one bundle's declarations. */
  static List<DeclaredSection> read(InputStream in) throws IOException {
    Properties p = new Properties();
    p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
    Map<String, Map<String, String>> bySection = new TreeMap<>();
    for (String key : p.stringPropertyNames()) {
      int dot = key.lastIndexOf('.');
      if (dot < 1) {
        throw new IllegalArgumentException(key + ": expected <yaml path>.<attribute>");
      }
      bySection
          .computeIfAbsent(key.substring(0, dot), k -> new LinkedHashMap<>())
          .put(key.substring(dot + 1), p.getProperty(key).trim());
    }
    List<DeclaredSection> out = new ArrayList<>();
    bySection.forEach((path, attributes) -> out.add(DeclaredSection.of(path, attributes)));
    return out;
  }

  Optional<DeclaredSection> at(String path) {
    return Optional.ofNullable(byPath.get(path));
  }

  Collection<DeclaredSection> all() {
    return byPath.values();
  }

  /**
   * @return the declared sections directly under {@code parent} (e.g. {@code rootKey}), by their
   *     last path segment
   */
  Map<String, DeclaredSection> under(String parent) {
    Map<String, DeclaredSection> out = new LinkedHashMap<>();
    for (DeclaredSection s : byPath.values()) {
      if (s.path().startsWith(parent + ".") && s.path().indexOf('.', parent.length() + 1) < 0) {
        out.put(s.path().substring(parent.length() + 1), s);
      }
    }
    return out;
  }

  /**
   * @return the declared top-level sections (no dot in their path)
   */
  List<String> topLevel() {
    return byPath.keySet().stream().filter(p -> p.indexOf('.') < 0).toList();
  }
}
