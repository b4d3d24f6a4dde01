package org.openkcm.keystore.karaf;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the {@code a | b | c} tables Karaf's list commands print (header, {@code ---+---} rule,
 * rows).
 */
final class KarafTables {
  private KarafTables() {}

  /**
   * @return the rows after the rule line, each as its trimmed cells; empty when there is no table
   */
  static List<List<String>> rows(String output) {
    List<List<String>> rows = new ArrayList<>();
    boolean body = false;
    for (String line : output.split("\n")) {
      if (line.matches("^-+(\\+-+)+\\s*$")) {
        body = true;
      } else if (body && line.contains("|")) {
        List<String> cells = new ArrayList<>();
        for (String cell : line.split("\\|", -1)) {
          cells.add(cell.strip());
        }
        rows.add(cells);
      } else if (body && line.isBlank()) {
        body = false;
      }
    }
    return rows;
  }
}
