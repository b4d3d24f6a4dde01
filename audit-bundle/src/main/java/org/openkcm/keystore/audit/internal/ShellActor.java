package org.openkcm.keystore.audit.internal;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.CommandSessionListener;
import org.openkcm.keystore.audit.Actor;
import org.osgi.service.component.annotations.Component;

/**
 * The shell door: every command line runs as actor {@code shell} (or {@code shell:<user>} where the
 * shell knows its user, as Karaf's does), on the thread Gogo executes it on.
 */
@Component(service = CommandSessionListener.class)
public final class ShellActor implements CommandSessionListener {
  private static final ThreadLocal<Actor.Scope> SCOPE = new ThreadLocal<>();

  @Override
  public void beforeExecute(CommandSession session, CharSequence line) {
    Object user = session.get("USER");
    end();
    SCOPE.set(Actor.enter(user == null ? "shell" : "shell:" + user));
  }

  @Override
  public void afterExecute(CommandSession session, CharSequence line, Exception e) {
    end();
  }

  @Override
  public void afterExecute(CommandSession session, CharSequence line, Object result) {
    end();
  }

  private static void end() {
    Actor.Scope s = SCOPE.get();
    if (s != null) {
      SCOPE.remove();
      s.close();
    }
  }
}
