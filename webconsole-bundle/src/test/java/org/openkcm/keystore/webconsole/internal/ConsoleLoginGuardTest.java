package org.openkcm.keystore.webconsole.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * Outside our launcher (e.g. in Karaf) a missing console login must not stop the JVM, which would
 * take the whole container down: the guard stops the Web Console bundle instead and registers no
 * security provider.
 */
class ConsoleLoginGuardTest {

  @Test
  void withoutCredentialsInAForeignContainerTheConsoleBundleIsStoppedNotTheJvm() {
    assertThat(System.getenv("OPENKCM_CONSOLE_USER"))
        .as("test precondition: no console login in the environment")
        .isNull();
    assertThat(System.getenv("OPENKCM_KEYSTORE_DEV")).isNull();
    AtomicBoolean consoleStopped = new AtomicBoolean();
    AtomicBoolean otherStopped = new AtomicBoolean();
    AtomicBoolean registered = new AtomicBoolean();
    Bundle console = bundle("org.apache.felix.webconsole", consoleStopped);
    Bundle other = bundle("org.apache.felix.scr", otherStopped);
    BundleContext context =
        (BundleContext)
            Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {BundleContext.class},
                (p, m, args) ->
                    switch (m.getName()) {
                      case "getProperty" -> null; // not our launcher
                      case "getBundles" -> new Bundle[] {other, console};
                      case "registerService" -> {
                        registered.set(true);
                        yield null;
                      }
                      default -> throw new UnsupportedOperationException(m.getName());
                    });

    new ConsoleLoginGuard().activate(context);

    assertThat(consoleStopped).as("console bundle stopped").isTrue();
    assertThat(otherStopped).as("nothing else touched").isFalse();
    assertThat(registered).as("no security provider registered").isFalse();
  }

  private Bundle bundle(String bsn, AtomicBoolean stopped) {
    return (Bundle)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {Bundle.class},
            (p, m, args) ->
                switch (m.getName()) {
                  case "getSymbolicName" -> bsn;
                  case "stop" -> {
                    stopped.set(true);
                    yield null;
                  }
                  default -> throw new UnsupportedOperationException(m.getName());
                });
  }
}
