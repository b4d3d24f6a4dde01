package org.openkcm.keystore.karaf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Karaf shell look-ups and the keystore:* commands, each checked for having run at all. */
final class KarafShell {
  private static final String KEYSTORE_SERVICE = "org.openkcm.keystore.spi.Keystore";

  private final KarafInstance karaf;

  KarafShell(KarafInstance karaf) {
    this.karaf = karaf;
  }

  /** A command that must succeed; returns the rows of the table it prints. */
  List<List<String>> table(String command) throws IOException {
    ShellResult r = karaf.shell(command);
    assertThat(r.succeeded()).as(r.toString()).isTrue();
    return KarafTables.rows(r.output());
  }

  /**
   * @return the {@code bundle:list} row (id, state, level, version, name) of the bundle with that
   *     name
   */
  Optional<List<String>> bundle(String name) throws IOException {
    return table("bundle:list -t 0").stream().filter(row -> row.get(4).equals(name)).findFirst();
  }

  /**
   * {@code service:list} of the Keystore SPI: every registered backend with its service properties.
   */
  String keystoreServices() throws IOException {
    // no such service is not an error for service:list: it prints nothing
    ShellResult r = karaf.shell("service:list " + KEYSTORE_SERVICE);
    assertThat(r.exitCode()).as(r.toString()).isZero();
    return r.output();
  }

  static boolean isActiveOrFragment(List<String> bundleRow) {
    return bundleRow.get(1).equals("Active")
        || bundleRow.get(1).equals("Resolved") && bundleRow.get(4).contains("Hosts:");
  }

  /**
   * Runs a {@code keystore:*} command. Karaf's shell prints a command's return value only in an
   * interactive session, so the batch client gets it through {@code echo (...)}; a refused
   * operation is a line {@code error: Kind: message}.
   */
  ShellResult keystore(String command) throws IOException {
    ShellResult r = karaf.shell("echo (keystore:" + command + ")");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    return r;
  }

  void createKey(String arguments) throws IOException {
    ShellResult created = keystore("create " + arguments);
    assertThat(created.succeeded()).as(created.toString()).isTrue();
  }

  /**
   * Opens version 1 of the key through the core (material never printed) and checks which backend
   * stores it.
   */
  void assertOpens(String id, String tier, String parent, String backend) throws IOException {
    ShellResult opened = keystore("get " + id);
    assertThat(opened.succeeded()).as(opened.toString()).isTrue();
    assertThat(field(opened, "key")).isEqualTo(id + "@1");
    assertThat(field(opened, "tier")).isEqualTo(tier);
    assertThat(field(opened, "parent")).isEqualTo(parent);
    assertThat(field(opened, "kcv")).matches("[0-9a-f]{6}");
    assertThat(field(opened, "roundtrip")).startsWith("ok (");
    assertThat(field(keystore("show " + id), "backend"))
        .as("backend holding %s", id)
        .isEqualTo(backend);
  }

  /** The value of a {@code name: value} line of a keystore command's output. */
  static String field(ShellResult r, String name) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + ":\\s+(.*)$").matcher(r.output());
    assertThat(m.find()).as("'%s:' line in %s", name, r).isTrue();
    return m.group(1).strip();
  }
}
