package org.openkcm.keystore.core.internal.shell;

import java.io.PrintStream;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.CommandSessionListener;
import org.osgi.service.component.annotations.Component;

/**
 * Keeps the whole line an operator typed (Gogo hands a command only its own statement, so a {@code
 * ;} inside an unquoted value is invisible to it) and explains Gogo's own refusal of an unquoted
 * glob, which happens before any keystore command runs.
 */
@Component(service = CommandSessionListener.class)
public final class ShellLineListener implements CommandSessionListener {
  /** The session variable holding the line being executed. */
  static final String LINE = ".openkcm.line";

  private static final String NO_MATCHES = "no matches found: ";

  @Override
  public void beforeExecute(CommandSession session, CharSequence line) {
    session.put(LINE, line == null ? null : line.toString());
  }

  @Override
  public void afterExecute(CommandSession session, CharSequence line, Exception e) {
    session.put(LINE, null);
    String m = e == null ? null : e.getMessage();
    if (line != null
        && line.toString().contains("keystore:")
        && m != null
        && m.startsWith(NO_MATCHES)) {
      PrintStream console = session.getConsole();
      if (console != null) {
        console.println(
            "hint: Gogo expands * and ? as file names; quote the argument: '"
                + m.substring(NO_MATCHES.length())
                + "'");
      }
    }
  }

  @Override
  public void afterExecute(CommandSession session, CharSequence line, Object result) {
    session.put(LINE, null);
  }
}
