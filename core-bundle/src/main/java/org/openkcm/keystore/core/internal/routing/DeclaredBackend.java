package org.openkcm.keystore.core.internal.routing;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;

/**
 * What a backend bundle declares about routing in its {@value #RESOURCE} (the file that also
 * declares its config.yaml section): {@code backends.<name>.route} the condition of its
 * out-of-the-box rule, {@code .fallback = true} for the backend that takes the default route and
 * the routes of backends that are not configured, {@code .configuredBy} the property of its
 * configuration {@code .pid} without which it is not configured, {@code .volatile = true} when it
 * forgets its keys at a restart.
 */
record DeclaredBackend(
    String name,
    String pid,
    String route,
    boolean fallback,
    String configuredBy,
    boolean volatileStore) {
  static final String RESOURCE = "OSGI-INF/keystore/config-sections.properties";

  /** The backends one bundle declares, by name. */
  static List<DeclaredBackend> read(InputStream in) throws IOException {
    Properties p = new Properties();
    p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
    TreeSet<String> names = new TreeSet<>();
    for (String key : p.stringPropertyNames()) {
      String[] parts = key.split("\\.");
      if (parts.length == 3 && parts[0].equals("backends")) {
        names.add(parts[1]);
      }
    }
    List<DeclaredBackend> out = new ArrayList<>();
    for (String n : names) {
      String at = "backends." + n + ".";
      String route = trimmed(p.getProperty(at + "route"));
      out.add(
          new DeclaredBackend(
              n,
              trimmed(p.getProperty(at + "pid")),
              route,
              Boolean.parseBoolean(trimmed(p.getProperty(at + "fallback"))),
              trimmed(p.getProperty(at + "configuredBy")),
              Boolean.parseBoolean(trimmed(p.getProperty(at + "volatile")))));
    }
    return out;
  }

  private static String trimmed(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
