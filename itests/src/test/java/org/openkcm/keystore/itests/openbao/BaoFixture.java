package org.openkcm.keystore.itests.openbao;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openkcm.keystore.openbao.testing.OpenBaoServer;

/**
 * Driver side only (the test JVM outside the framework; never loaded inside it): starts one real
 * {@code bao server -dev} through the openbao-bundle's harness before the framework starts and
 * hands what the in-container tests need over as system properties. Stopped by {@link
 * OpenBaoPaxExam} after the class and, whatever happens, by a JVM shutdown hook. If bao cannot
 * start, the exception fails the class.
 */
final class BaoFixture {
  static final String ADDRESS = "itest.bao.address";
  static final String TOKEN = "itest.bao.token";
  static final String UNSEAL_KEY = "itest.bao.unsealKey";
  static final String BINARY = "itest.bao.bin";
  static final String HOME = "itest.bao.home";
  static final String PREFIX = "itest.bao.prefix";
  private static final Pattern DEV_UNSEAL_KEY = Pattern.compile("Unseal Key: (\\S+)");
  private static OpenBaoServer server;

  private BaoFixture() {}

  /** Starts bao once per JVM run of the class (the @Configuration method may be asked again). */
  static synchronized void start() {
    if (server != null && server.isRunning()) {
      return;
    }
    OpenBaoServer s = OpenBaoServer.startDev();
    server = s;
    Runtime.getRuntime().addShutdownHook(new Thread(s::close, "stop-bao-itest"));
    System.setProperty(ADDRESS, s.address());
    System.setProperty(TOKEN, s.rootToken());
    System.setProperty(UNSEAL_KEY, unsealKey(s));
    System.setProperty(BINARY, OpenBaoServer.findBinary().toString());
    System.setProperty(PREFIX, "itest-" + UUID.randomUUID().toString().substring(0, 8));
    try {
      System.setProperty(HOME, Files.createTempDirectory("bao-cli-home-").toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Explicit stop after the test class; the shutdown hook then has nothing left to do. */
  static synchronized void stop() {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  /**
   * The dev server prints its single unseal key in its log; the in-container seal test needs it to
   * unseal.
   */
  private static String unsealKey(OpenBaoServer s) {
    Matcher m = DEV_UNSEAL_KEY.matcher(s.log());
    if (!m.find()) {
      throw new IllegalStateException("bao dev server printed no unseal key");
    }
    return m.group(1);
  }

  static Path home() {
    return Path.of(System.getProperty(HOME));
  }
}
