package org.openkcm.keystore.core.internal.shell;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import org.openkcm.keystore.audit.Actor;

/**
 * The shell door's actor: every call the {@code keystore:*} commands make into the core runs as
 * {@code shell}, which the audit trail records (Gogo runs a command on a thread of its own, so the
 * name is set around each call, not per command line).
 */
final class ShellActor {
  static final String SHELL = "shell";

  private ShellActor() {}

  /**
   * @return {@code target} seen through a proxy that names the shell as actor, or null for null
   */
  static <T> T acting(Class<T> type, T target) {
    if (target == null) {
      return null;
    }
    Object proxy =
        Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (p, method, args) -> {
              try (Actor.Scope s = Actor.enter(SHELL)) {
                return method.invoke(target, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
    return type.cast(proxy);
  }
}
