package org.openkcm.keystore.itests.openbao;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code bao} CLI, run from inside the container against the server {@link BaoFixture}
 * started (address, token, binary from system properties). Environment cleaned of BAO_x/VAULT_x,
 * HOME private.
 */
final class BaoCli {
  /** Exit code and output of one CLI run. */
  record Result(int exitCode, byte[] stdout, String stderr) {
    String out() {
      return new String(stdout, StandardCharsets.UTF_8);
    }
  }

  private BaoCli() {}

  static String address() {
    return required(BaoFixture.ADDRESS);
  }

  static String token() {
    return required(BaoFixture.TOKEN);
  }

  static Result run(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(required(BaoFixture.BINARY));
    cmd.addAll(List.of(args));
    Path home = Path.of(required(BaoFixture.HOME));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("BAO_") || k.startsWith("VAULT_"));
    env.put("HOME", home.toString());
    env.put("BAO_ADDR", address());
    env.put("BAO_TOKEN", token());
    env.put("BAO_CLIENT_TIMEOUT", "20s");
    try {
      File err = Files.createTempFile(home, "cli", ".err").toFile();
      pb.redirectError(err);
      Process p = pb.start();
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("bao " + args[0] + " did not finish in 30 s");
      }
      String stderr = Files.readString(err.toPath());
      err.delete();
      return new Result(p.exitValue(), out, stderr);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted running bao", e);
    }
  }

  /**
   * @return the output of a CLI run that must succeed
   */
  static Result ok(String... args) {
    Result r = run(args);
    if (r.exitCode() != 0) {
      throw new AssertionError(
          "bao "
              + args[0]
              + " "
              + (args.length > 1 ? args[1] : "")
              + " failed ("
              + r.exitCode()
              + "): "
              + r.stderr());
    }
    return r;
  }

  static String required(String property) {
    String v = System.getProperty(property);
    if (v == null || v.isEmpty()) {
      throw new AssertionError(
          "system property " + property + " is not set: the bao fixture did not run");
    }
    return v;
  }
}
