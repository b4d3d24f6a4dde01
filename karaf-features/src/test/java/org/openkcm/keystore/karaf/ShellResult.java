package org.openkcm.keystore.karaf;

import java.util.regex.Pattern;

/**
 * What one {@code bin/client -b} run printed and its exit status. Karaf's client exits 1 when a
 * command throws (unknown command, feature that does not resolve); our {@code keystore:*} commands
 * report a refused operation as a line {@code error: Kind: message} with status 0, so both are
 * checked.
 */
record ShellResult(String command, int exitCode, String output) {
  private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;?]*[A-Za-z]");

  static ShellResult of(String command, int exitCode, String rawOutput) {
    return new ShellResult(
        command, exitCode, ANSI.matcher(rawOutput).replaceAll("").replace("\r", ""));
  }

  boolean succeeded() {
    return exitCode == 0
        && !output.contains("Error executing command")
        && !output.lines().anyMatch(l -> l.startsWith("error: "));
  }

  @Override
  public String toString() {
    return "'" + command + "' -> exit " + exitCode + ":\n" + output;
  }
}
