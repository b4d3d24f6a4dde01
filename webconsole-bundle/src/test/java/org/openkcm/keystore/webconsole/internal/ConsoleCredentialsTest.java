package org.openkcm.keystore.webconsole.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsoleCredentialsTest {

  private static byte[] pw(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void refusesToRunWithoutCredentialsUnlessDevelopment() {
    assertThatThrownBy(() -> ConsoleCredentials.from(Map.of()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("OPENKCM_CONSOLE_USER")
        .hasMessageContaining("--dev");
    ConsoleCredentials dev = ConsoleCredentials.from(Map.of("OPENKCM_KEYSTORE_DEV", "true"));
    assertThat(dev.development()).isTrue();
    assertThat(dev.matches("admin", pw("admin"))).isTrue();
  }

  @Test
  void refusesTheDefaultLoginGivenExplicitlyWithoutTheFlag() {
    assertThatThrownBy(
            () ->
                ConsoleCredentials.from(
                    Map.of("OPENKCM_CONSOLE_USER", "admin", "OPENKCM_CONSOLE_PASSWORD", "admin")))
        .hasMessageContaining("admin/admin");
    assertThat(
            ConsoleCredentials.from(
                    Map.of(
                        "OPENKCM_CONSOLE_USER",
                        "admin",
                        "OPENKCM_CONSOLE_PASSWORD",
                        "admin",
                        "OPENKCM_KEYSTORE_DEV",
                        "TRUE"))
                .matches("admin", pw("admin")))
        .isTrue();
  }

  @Test
  void developmentModeRefusesANonLoopbackBindAddress() {
    for (String host : new String[] {"0.0.0.0", "10.1.2.3", "keystore.example.com", "::"}) {
      assertThatThrownBy(
              () ->
                  ConsoleCredentials.from(
                      Map.of("OPENKCM_KEYSTORE_DEV", "true", "OPENKCM_HTTP_HOST", host)))
          .as(host)
          .hasMessageContaining("only listens on loopback");
    }
    for (String host : new String[] {"127.0.0.1", "localhost", "::1", "127.0.1.1"}) {
      assertThat(
              ConsoleCredentials.from(
                      Map.of("OPENKCM_KEYSTORE_DEV", "true", "OPENKCM_HTTP_HOST", host))
                  .development())
          .isTrue();
    }
    assertThat(
            ConsoleCredentials.from(
                    Map.of(
                        "OPENKCM_CONSOLE_USER",
                        "ops",
                        "OPENKCM_CONSOLE_PASSWORD",
                        "a-long-secret",
                        "OPENKCM_HTTP_HOST",
                        "0.0.0.0"))
                .development())
        .as("real credentials may bind elsewhere")
        .isFalse();
  }

  @Test
  void refusesHalfAConfigurationAndShortPasswords() {
    assertThatThrownBy(() -> ConsoleCredentials.from(Map.of("OPENKCM_CONSOLE_USER", "ops")))
        .hasMessageContaining("only OPENKCM_CONSOLE_USER");
    assertThatThrownBy(
            () -> ConsoleCredentials.from(Map.of("OPENKCM_CONSOLE_PASSWORD", "long-enough-secret")))
        .hasMessageContaining("only OPENKCM_CONSOLE_PASSWORD");
    assertThatThrownBy(
            () ->
                ConsoleCredentials.from(
                    Map.of("OPENKCM_CONSOLE_USER", "ops", "OPENKCM_CONSOLE_PASSWORD", "short")))
        .hasMessageContaining("at least 8")
        .hasMessageNotContaining("short");
  }

  @Test
  void realCredentialsMatchOnlyThemselvesAndAreNeverShown() {
    ConsoleCredentials c =
        ConsoleCredentials.from(
            Map.of("OPENKCM_CONSOLE_USER", "ops", "OPENKCM_CONSOLE_PASSWORD", "s3cret-pass"));
    assertThat(c.development()).isFalse();
    assertThat(c.matches("ops", pw("s3cret-pass"))).isTrue();
    assertThat(c.matches("ops", pw("s3cret-pasS"))).isFalse();
    assertThat(c.matches("admin", pw("s3cret-pass"))).isFalse();
    assertThat(c.matches("admin", pw("admin"))).isFalse();
    assertThat(c.toString()).doesNotContain("s3cret");
  }

  @Test
  void zeroizesThePasswordItWasGiven() {
    ConsoleCredentials c =
        ConsoleCredentials.from(
            Map.of("OPENKCM_CONSOLE_USER", "ops", "OPENKCM_CONSOLE_PASSWORD", "s3cret-pass"));
    byte[] given = pw("s3cret-pass");
    c.matches("ops", given);
    assertThat(given).containsOnly(0);
  }

  @Test
  void basicHeaderIsCheckedAgainstTheCredentials() {
    ConsoleSecurityProvider p =
        new ConsoleSecurityProvider(
            ConsoleCredentials.from(
                Map.of(
                    "OPENKCM_CONSOLE_USER",
                    "ops",
                    "OPENKCM_CONSOLE_PASSWORD",
                    "pass:with:colons")));
    assertThat(p.check(basic("ops:pass:with:colons"))).isEqualTo("ops");
    assertThat(p.check(basic("ops:wrong-password"))).isNull();
    assertThat(p.check(basic("admin:admin"))).isNull();
    assertThat(p.check("Basic !!not-base64!!")).isNull();
    assertThat(p.check(basic("no-colon"))).isNull();
    assertThat(p.check("Bearer abc")).isNull();
    assertThat(p.check(null)).isNull();
    assertThat(p.authorize("ops", "any-role")).isTrue();
    assertThat(p.authorize(null, "any-role")).isFalse();
  }

  private static String basic(String userColonPassword) {
    return "Basic "
        + Base64.getEncoder().encodeToString(userColonPassword.getBytes(StandardCharsets.UTF_8));
  }
}
