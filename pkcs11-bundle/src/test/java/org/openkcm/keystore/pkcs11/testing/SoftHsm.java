package org.openkcm.keystore.pkcs11.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real SoftHSM2 token for one test: its own token directory, written into the SoftHSM2
 * configuration file named by {@code SOFTHSM2_CONF} (set for the test JVM; SoftHSM2 reads it when a
 * module instance initialises), initialised with {@code softhsm2-util}, and a private copy of the
 * module so the test's module instance (and its login state) is its own. Fails loudly when SoftHSM2
 * is not installed ({@code bash .ci/install-deps}).
 */
public final class SoftHsm {
  public static final String MODULE = "/usr/lib/softhsm/libsofthsm2.so";
  public static final String PIN = "ks-pin-73915";
  public static final String SO_PIN = "5678";
  private static final AtomicInteger COUNT = new AtomicInteger();

  public final Path dir;
  public final Path tokenDir;
  public final Path library;
  public final long slot;
  public final String label;
  public final Path conf;

  private SoftHsm(Path dir, Path tokenDir, Path library, long slot, String label, Path conf) {
    this.dir = dir;
    this.tokenDir = tokenDir;
    this.library = library;
    this.slot = slot;
    this.label = label;
    this.conf = conf;
  }

  /**
   * @return the configuration file path the test JVM's SOFTHSM2_CONF names
   */
  public static Path confFile() {
    String c = System.getenv("SOFTHSM2_CONF");
    if (c == null || c.isBlank()) {
      throw new IllegalStateException(
          "SOFTHSM2_CONF is not set for this JVM (the build sets it for the tests)");
    }
    return Path.of(c);
  }

  public static SoftHsm create(String tokenLabel) throws IOException, InterruptedException {
    return create(tokenLabel, confFile());
  }

  /**
   * @param conf the SoftHSM2 configuration file the module instance will read (its SOFTHSM2_CONF)
   */
  public static SoftHsm create(String tokenLabel, Path conf)
      throws IOException, InterruptedException {
    if (!Files.isRegularFile(Path.of(MODULE))) {
      throw new IllegalStateException(
          "SoftHSM2 is not installed (" + MODULE + " missing): run bash .ci/install-deps");
    }
    int n = COUNT.incrementAndGet();
    Files.createDirectories(conf.getParent());
    Path dir = Files.createTempDirectory(conf.getParent(), "token-" + n + "-");
    Path tokens = dir.resolve("tokens");
    Files.createDirectories(tokens);
    Files.writeString(
        conf,
        "directories.tokendir = "
            + tokens
            + "\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n",
        StandardCharsets.US_ASCII);
    ProcessBuilder pb =
        new ProcessBuilder(
                List.of(
                    "softhsm2-util",
                    "--init-token",
                    "--free",
                    "--label",
                    tokenLabel,
                    "--pin",
                    PIN,
                    "--so-pin",
                    SO_PIN))
            .redirectErrorStream(true);
    pb.environment().put("SOFTHSM2_CONF", conf.toString());
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "softhsm2-util cannot be started: run bash .ci/install-deps", e);
    }
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("softhsm2-util did not finish");
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("reassigned to slot (\\d+)").matcher(out);
    if (p.exitValue() != 0 || !m.find()) {
      throw new IllegalStateException("softhsm2-util --init-token failed: " + out);
    }
    Path lib = dir.resolve("libsofthsm2-" + n + ".so");
    Files.copy(Path.of(MODULE), lib, StandardCopyOption.REPLACE_EXISTING);
    return new SoftHsm(dir, tokens, lib, Long.parseLong(m.group(1)), tokenLabel, conf);
  }

  /**
   * @return another private copy of the module: a separate module instance, as another runtime
   *     would have
   */
  public Path freshModule() throws IOException {
    Path lib = dir.resolve("libsofthsm2-" + COUNT.incrementAndGet() + ".so");
    Files.copy(Path.of(MODULE), lib, StandardCopyOption.REPLACE_EXISTING);
    return lib;
  }

  /** Takes the token away: its directory is moved aside (the data stays there). */
  public Path removeToken() throws IOException {
    Path away = dir.resolve("tokens.away");
    Files.move(tokenDir, away);
    return away;
  }

  public void restoreToken() throws IOException {
    Files.move(dir.resolve("tokens.away"), tokenDir);
  }

  /**
   * @return the files of the token's object store (what the "backend" holds)
   */
  public long tokenFileCount(Path where) throws IOException {
    try (var s = Files.walk(where)) {
      return s.filter(Files::isRegularFile).count();
    }
  }
}
