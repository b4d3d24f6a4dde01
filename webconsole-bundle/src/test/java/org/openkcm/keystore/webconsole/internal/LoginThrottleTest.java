package org.openkcm.keystore.webconsole.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Password guessing against the console login is throttled per client address. */
class LoginThrottleTest {
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final ConsoleSecurityProvider provider =
      new ConsoleSecurityProvider(
          ConsoleCredentials.from(
              Map.of("OPENKCM_CONSOLE_USER", "ops", "OPENKCM_CONSOLE_PASSWORD", "right-password")),
          new LoginThrottle(now::get));

  private FakeHttp attempt(String password, String remote) {
    FakeHttp http = new FakeHttp();
    http.remote = remote;
    http.headers.put(
        "Authorization",
        "Basic "
            + Base64.getEncoder()
                .encodeToString(("ops:" + password).getBytes(StandardCharsets.UTF_8)));
    http.status = -1;
    Object user = provider.authenticate(http.request(), http.response());
    http.params.put("user", String.valueOf(user));
    return http;
  }

  @Test
  void afterManyWrongPasswordsTheRightOneIsNotAcceptedAtOnce() {
    for (int i = 0; i < 300; i++) {
      attempt("wrong-" + i, "10.0.0.7");
    }
    FakeHttp right = attempt("right-password", "10.0.0.7");
    assertThat(right.params.get("user")).isEqualTo("null");
    assertThat(right.status).isEqualTo(429);
    assertThat(Long.parseLong(right.responseHeaders.get("Retry-After")))
        .isBetween(1L, LoginThrottle.MAX_LOCK_SECONDS);
    assertThat(right.responseHeaders).containsEntry("X-Frame-Options", "DENY");

    assertThat(attempt("right-password", "10.0.0.8").params.get("user"))
        .as("another client is not locked out")
        .isEqualTo("ops");

    now.addAndGet(LoginThrottle.MAX_LOCK_SECONDS * 1000 + 1);
    assertThat(attempt("right-password", "10.0.0.7").params.get("user"))
        .as("after the lock-out")
        .isEqualTo("ops");
    assertThat(attempt("wrong", "10.0.0.7").status).as("success cleared the count").isEqualTo(401);
  }

  @Test
  void theFirstFewMistakesCostNothingThenTheWaitDoubles() {
    for (int i = 0; i < LoginThrottle.FREE_FAILURES; i++) {
      assertThat(attempt("typo", "10.0.0.9").status).isEqualTo(401);
    }
    assertThat(attempt("typo", "10.0.0.9").status).isEqualTo(401);
    assertThat(attempt("right-password", "10.0.0.9").status).as("locked for 1 s").isEqualTo(429);
    now.addAndGet(1001);
    assertThat(attempt("typo", "10.0.0.9").status).isEqualTo(401);
    now.addAndGet(1001);
    assertThat(attempt("right-password", "10.0.0.9").status)
        .as("now locked for 2 s")
        .isEqualTo(429);
    now.addAndGet(1000);
    assertThat(attempt("right-password", "10.0.0.9").params.get("user")).isEqualTo("ops");
  }
}
