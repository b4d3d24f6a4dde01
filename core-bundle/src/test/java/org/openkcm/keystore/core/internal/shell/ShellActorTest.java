package org.openkcm.keystore.core.internal.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.api.KeyService;
import org.openkcm.keystore.api.KeystoreAdmin;
import org.openkcm.keystore.audit.Actor;
import org.openkcm.keystore.core.internal.backend.BackendDirectory;
import org.openkcm.keystore.model.KeyNotFoundException;

/** The shell door: the commands' calls into the core run as actor "shell", and only those. */
class ShellActorTest {
  private final List<String> seen = new CopyOnWriteArrayList<>();

  private <T> T recording(Class<T> type) {
    return type.cast(
        Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (p, m, a) -> {
              seen.add(m.getName() + " as " + Actor.current().orElse("nobody"));
              if (m.getReturnType() == List.class) {
                return List.of();
              }
              throw new KeyNotFoundException(null, "inmemory", "no such key");
            }));
  }

  @Test
  void commandsCallTheCoreAsTheShell() {
    KeystoreCommands commands =
        new KeystoreCommands(
            recording(KeystoreAdmin.class),
            recording(BackendDirectory.class),
            recording(KeyService.class));
    String out = commands.get("l2-" + "0".repeat(32));
    commands.backends();
    assertThat(out).contains("error: KeyNotFound");
    assertThat(seen).isNotEmpty().allSatisfy(s -> assertThat(s).endsWith(" as shell"));
    assertThat(Actor.current()).isEmpty();
  }
}
