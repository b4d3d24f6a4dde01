package org.openkcm.keystore.grpc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openkcm.keystore.model.InvalidConfigurationException;

class GrpcSettingsTest {

  @Test
  void plaintextOnlyInDevelopmentModeAndOnLoopback() throws Exception {
    assertThat(GrpcSettings.from(config("127.0.0.1", true, "", "", ""), true).plaintext()).isTrue();
    assertThatThrownBy(() -> GrpcSettings.from(config("127.0.0.1", true, "", "", ""), false))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("development mode");
    assertThatThrownBy(() -> GrpcSettings.from(config("0.0.0.0", true, "", "", ""), true))
        .hasMessageContaining("loopback");
  }

  @Test
  void tlsNeedsItsThreeFilesByDefault(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> GrpcSettings.from(config("127.0.0.1", false, "", "", ""), true))
        .hasMessageContaining("grpc.certFile");
    Path f = Files.writeString(dir.resolve("x.pem"), "x");
    GrpcSettings s =
        GrpcSettings.from(
            config("127.0.0.1", false, f.toString(), f.toString(), f.toString()), false);
    assertThat(s.plaintext()).isFalse();
    assertThat(s.reflection()).as("reflection only in development mode").isFalse();
  }

  @Test
  void onlyTheClientTableChangingNeedsNoRestart(@TempDir Path dir) throws Exception {
    GrpcSettings a = GrpcSettings.from(config("127.0.0.1", true, "", "", ""), true);
    GrpcSettings b =
        GrpcSettings.from(
            config("127.0.0.1", true, "", "", "", "identity=x; owners=*; ops=*"), true);
    assertThat(b.needsRestart(a)).isFalse();
    assertThat(b.needsRestart(null)).isTrue();
  }

  private static GrpcConfig config(
      String host, boolean plaintext, String cert, String key, String ca, String... clients) {
    return new GrpcConfig() {
      @Override
      public Class<? extends Annotation> annotationType() {
        return GrpcConfig.class;
      }

      @Override
      public String host() {
        return host;
      }

      @Override
      public int port() {
        return 0;
      }

      @Override
      public String certFile() {
        return cert;
      }

      @Override
      public String keyFile() {
        return key;
      }

      @Override
      public String clientCaFile() {
        return ca;
      }

      @Override
      public boolean plaintext() {
        return plaintext;
      }

      @Override
      public String[] clients() {
        return clients;
      }

      @Override
      public int maxMessageBytes() {
        return 1 << 20;
      }

      @Override
      public String reloadInterval() {
        return "5s";
      }

      @Override
      public int callThreads() {
        return 4;
      }

      @Override
      public boolean reflection() {
        return true;
      }

      @Override
      public String retryDelay() {
        return "1s";
      }
    };
  }
}
