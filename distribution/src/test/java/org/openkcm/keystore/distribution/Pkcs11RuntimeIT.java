package org.openkcm.keystore.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.pkcs11.testing.SoftHsm;

/**
 * The shipped runtime (./run.sh, real Felix) with its root key in a real SoftHSM2 token:
 * config.yaml selects {@code rootKey.provider: pkcs11}, the key is created in the token on first
 * start (the token found by its label), L2 keys are created and opened through it, rotated, the
 * older record rewrapped under the new version by {@code keystore:rewrap}, and neither the PIN nor
 * key material reaches the output.
 */
class Pkcs11RuntimeIT {
  private static final String USER = "operator";
  private final Path target =
      Paths.get(System.getProperty("e2e.target", "target")).toAbsolutePath();
  private final Path workDir = target.resolve("e2e-pkcs11");

  @Test
  void theRuntimeWrapsItsL2KeysInsideTheToken() throws Exception {
    Path repo = Paths.get(System.getProperty("e2e.repo", "..")).toAbsolutePath().normalize();
    Path built = Paths.get(System.getProperty("e2e.runtime", "target/runtime")).toAbsolutePath();
    RuntimeEndToEndIT.deleteTree(workDir);
    Files.createDirectories(workDir);
    Path conf = workDir.resolve("softhsm2/softhsm2.conf");
    SoftHsm hsm = SoftHsm.create("ks-runtime", conf);
    Path yaml = workDir.resolve("config.yaml");
    Files.writeString(
        yaml,
        "rootKey:\n  provider: pkcs11\n  pkcs11:\n    library: "
            + hsm.library
            + "\n    tokenLabel: "
            + hsm.label
            + "\n    keyLabel: dist-root\n    createKey: true\n    pinEnv: OPENKCM_TEST_HSM_PIN\n",
        StandardCharsets.UTF_8);
    String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
    try (RuntimeProcess runtime =
        new RuntimeProcess(
            repo,
            built,
            workDir,
            Map.of(
                "OPENKCM_CONSOLE_USER",
                USER,
                "OPENKCM_CONSOLE_PASSWORD",
                password,
                "OPENKCM_KEYSTORE_CONFIG",
                yaml.toString(),
                "SOFTHSM2_CONF",
                conf.toString(),
                "OPENKCM_TEST_HSM_PIN",
                SoftHsm.PIN))) {
      await("provider ready")
          .atMost(Duration.ofSeconds(90))
          .until(
              () ->
                  !runtime.alive() || runtime.output().contains("PKCS#11 root key provider ready"));
      assertThat(runtime.alive()).as(runtime.output()).isTrue();
      assertThat(runtime.output()).contains("current key 'dist-root'");

      int mark = runtime.lineCount();
      runtime.shell("keystore:rootkey status");
      await("status")
          .atMost(Duration.ofSeconds(20))
          .until(() -> runtime.outputSince(mark).contains("* dist-root"));
      assertThat(runtime.outputSince(mark)).contains("sensitive, non-extractable").contains("UP");

      int mark2 = runtime.lineCount();
      runtime.shell("keystore:create L2 tenant:p11 id=p11-acme");
      runtime.shell("keystore:rootkey rotate");
      await("rotated")
          .atMost(Duration.ofSeconds(20))
          .until(() -> runtime.outputSince(mark2).contains("'dist-root-v2' is current"));
      // the record made before the rotation moves to the new key version, online
      runtime.shell("keystore:rewrap --dry-run");
      runtime.shell("keystore:rewrap");
      await("rewrapped")
          .atMost(Duration.ofSeconds(20))
          .until(() -> runtime.outputSince(mark2).contains("rewrapped: 1 L2 records"));
      assertThat(runtime.outputSince(mark2))
          .contains("rewrapped: would be 1 L2 records")
          .contains("not moved: 0");
      runtime.shell("keystore:rewrap");
      await("nothing left")
          .atMost(Duration.ofSeconds(20))
          .until(() -> runtime.outputSince(mark2).contains("rewrapped: 0 L2 records"));
      runtime.shell("keystore:create L2 tenant:p11 id=p11-globex");
      runtime.shell("keystore:create L3 service:p11 parent=p11-acme id=p11-svc");
      runtime.shell("keystore:get p11-acme");
      runtime.shell("keystore:get p11-globex");
      await("keys")
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  runtime.outputSince(mark2).contains("p11-globex")
                      && runtime.outputSince(mark2).contains("p11-svc")
                      && count(runtime.outputSince(mark2), "roundtrip") >= 2);
      assertThat(runtime.outputSince(mark2)).doesNotContain("error:");
      assertThat(runtime.output()).doesNotContain(SoftHsm.PIN).doesNotContain(password);
    }
  }

  private static int count(String s, String what) {
    int n = 0;
    for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }
}
