package org.openkcm.keystore.karaf;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Edits a freshly unpacked Karaf's {@code etc/} so that it can run next to anything else on the
 * machine: every listening port is a free loopback port, the {@code karaf} user exists, and bundles
 * resolve offline (our staging repository, then the local Maven repository; no remote repository at
 * all).
 */
final class KarafSetup {

  /** The ports a Karaf listens on; all bound to 127.0.0.1. */
  record Ports(int ssh, int rmiRegistry, int rmiServer, int http) {
    static Ports free() throws IOException {
      List<ServerSocket> held = new ArrayList<>();
      try {
        // held open together so the four are distinct
        for (int i = 0; i < 4; i++) {
          held.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
        }
        return new Ports(
            held.get(0).getLocalPort(),
            held.get(1).getLocalPort(),
            held.get(2).getLocalPort(),
            held.get(3).getLocalPort());
      } finally {
        for (ServerSocket s : held) {
          s.close();
        }
      }
    }
  }

  private final Path etc;

  KarafSetup(Path karafHome) {
    this.etc = karafHome.resolve("etc");
  }

  /** The distribution ships its only user commented out. */
  void enableKarafUser() throws IOException {
    Path users = etc.resolve("users.properties");
    String text =
        Files.readString(users, StandardCharsets.ISO_8859_1)
            .replace("#karaf = karaf,_g_:admingroup", "karaf = karaf,_g_:admingroup")
            .replace("#_g_\\:admingroup = group", "_g_\\:admingroup = group");
    if (!text.contains("\nkaraf = karaf,_g_:admingroup")) {
      throw new IllegalStateException("etc/users.properties has no commented karaf user to enable");
    }
    Files.writeString(users, text, StandardCharsets.ISO_8859_1);
  }

  void ports(Ports ports) throws IOException {
    set("org.apache.karaf.shell.cfg", "sshPort", Integer.toString(ports.ssh()));
    set("org.apache.karaf.shell.cfg", "sshHost", "127.0.0.1");
    set(
        "org.apache.karaf.management.cfg",
        "rmiRegistryPort",
        Integer.toString(ports.rmiRegistry()));
    set("org.apache.karaf.management.cfg", "rmiServerPort", Integer.toString(ports.rmiServer()));
    set("org.apache.karaf.management.cfg", "rmiRegistryHost", "127.0.0.1");
    set("org.apache.karaf.management.cfg", "rmiServerHost", "127.0.0.1");
    // Karaf's own HTTP (Pax Web, features http/webconsole) and the Felix HTTP Jetty 12 of our
    // webconsole
    // feature read different PIDs; both get the same free port, only one of them is ever installed
    // here.
    set("org.ops4j.pax.web.cfg", "org.osgi.service.http.port", Integer.toString(ports.http()));
    set("org.ops4j.pax.web.cfg", "org.ops4j.pax.web.listening.addresses", "127.0.0.1");
    set("org.apache.felix.http.cfg", "org.osgi.service.http.port", Integer.toString(ports.http()));
    set("org.apache.felix.http.cfg", "org.apache.felix.http.host", "127.0.0.1");
  }

  /**
   * Offline resolution: staging first (searched before the local repository), then ~/.m2, nothing
   * remote.
   */
  void offlineMaven(Path localRepository, Path staging) throws IOException {
    Files.writeString(
        etc.resolve("org.ops4j.pax.url.mvn.cfg"),
        String.join(
            "\n",
            "# written by KarafFeaturesIT: offline, this build's artifacts first",
            "org.ops4j.pax.url.mvn.useFallbackRepositories = false",
            "org.ops4j.pax.url.mvn.offline = true",
            "org.ops4j.pax.url.mvn.localRepository = " + localRepository.toAbsolutePath(),
            "org.ops4j.pax.url.mvn.defaultRepositories = \\",
            "    ${karaf.home.uri}${karaf.default.repository}@id=system.repository@snapshots, \\",
            "    ${karaf.data.uri}kar@id=kar.repository@multi@snapshots, \\",
            "    " + staging.toAbsolutePath().toUri() + "@id=openkcm.staging@snapshots",
            "org.ops4j.pax.url.mvn.repositories =",
            ""),
        StandardCharsets.ISO_8859_1);
  }

  /**
   * Sets {@code key} in {@code etc/file} (replacing its uncommented line, else appending), creating
   * the file if needed.
   */
  void set(String file, String key, String value) throws IOException {
    Path cfg = etc.resolve(file);
    String text = Files.exists(cfg) ? Files.readString(cfg, StandardCharsets.ISO_8859_1) : "";
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(key) + "\\s*=.*$").matcher(text);
    String line = key + " = " + value;
    text =
        m.find()
            ? m.replaceFirst(Matcher.quoteReplacement(line))
            : text + (text.endsWith("\n") || text.isEmpty() ? "" : "\n") + line + "\n";
    Files.writeString(cfg, text, StandardCharsets.ISO_8859_1);
  }
}
