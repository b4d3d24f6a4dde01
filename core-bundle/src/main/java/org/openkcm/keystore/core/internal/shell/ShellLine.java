package org.openkcm.keystore.core.internal.shell;

import org.apache.felix.service.command.Job;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.Limits;

/**
 * Refuses a command whose typed line Gogo cut inside an argument: {@code id=x;y} reaches the
 * command as {@code id=x} followed by a second command {@code y}. Creating {@code x} would not be
 * what was typed.
 */
final class ShellLine {
  private ShellLine() {}

  /** Throws when the statement being run is glued to a following {@code ;} in the typed line. */
  static void checkNotCut() throws InvalidKeyRequestException {
    Job job;
    try {
      job = Job.Utils.current();
    } catch (LinkageError e) {
      return; // not run by Gogo
    }
    if (job == null
        || job.command() == null
        || job.session() == null
        || !(job.session().get(ShellLineListener.LINE) instanceof String line)) {
      return;
    }
    String statement = job.command().toString().strip();
    if (statement.isEmpty()) {
      return;
    }
    for (int at = line.indexOf(statement); at >= 0; at = line.indexOf(statement, at + 1)) {
      int end = at + statement.length();
      if (end + 1 < line.length()
          && line.charAt(end) == ';'
          && !Character.isWhitespace(line.charAt(end + 1))) {
        String word = statement.substring(statement.lastIndexOf(' ') + 1);
        String rest = line.substring(end + 1).split("\\s", 2)[0];
        InvalidKeyRequestException refused =
            new InvalidKeyRequestException(
                Limits.printable(word),
                "Gogo ends a command at ';', so '"
                    + Limits.printable(word + ";" + rest)
                    + "' would run this command with '"
                    + Limits.printable(word)
                    + "' and then '"
                    + Limits.printable(rest)
                    + "' as a command; nothing was done. Quote the whole argument ('"
                    + Limits.printable(word + ";" + rest)
                    + "') or put a space after ';' to run two commands");
        // Gogo drops a statement's result when a later one on the line fails (here: the command
        // 'y')
        java.io.PrintStream console = job.session().getConsole();
        if (console != null) {
          console.println(Formats.error(refused));
        }
        throw refused;
      }
    }
  }
}
