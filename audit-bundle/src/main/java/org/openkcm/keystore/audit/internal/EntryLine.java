package org.openkcm.keystore.audit.internal;

/**
 * One written line, taken apart: {@code {"seq":N,<fields>,"prev":"<mac>","mac":"<mac>"}}. The MAC
 * covers everything before {@code ,"mac":}, so any edit of the line breaks it.
 */
record EntryLine(long seq, String signed, String prev, String mac) {
  private static final String SEQ = "{\"seq\":";
  private static final String PREV = ",\"prev\":\"";
  private static final String MAC = ",\"mac\":\"";

  static String signedText(long seq, String fields, String prev) {
    return SEQ + seq + "," + fields + PREV + prev + "\"";
  }

  static String line(String signed, String mac) {
    return signed + MAC + mac + "\"}\n";
  }

  /**
   * @return the parts, or {@code null} if the line does not have the entry shape
   */
  static EntryLine parse(String line) {
    if (!line.startsWith(SEQ) || !line.endsWith("\"}")) {
      return null;
    }
    int m = line.lastIndexOf(MAC);
    int p = line.lastIndexOf(PREV, m);
    int comma = line.indexOf(',', SEQ.length());
    if (m < 0 || p < 0 || comma < 0) {
      return null;
    }
    try {
      long seq = Long.parseLong(line.substring(SEQ.length(), comma));
      String signed = line.substring(0, m);
      String prev = line.substring(p + PREV.length(), m - 1);
      String mac = line.substring(m + MAC.length(), line.length() - 2);
      return new EntryLine(seq, signed, prev, mac);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
