package org.openkcm.keystore.audit.internal;

import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Walks a trail (files oldest first) and checks every entry: its MAC (an edited entry), its
 * predecessor's MAC and its sequence number (a removed or reordered entry). The first entry of a
 * trail whose older files retention removed anchors the chain; everything after it is checked. A
 * file's entries end at its first zero byte (the live file's preallocated tail); a non-zero byte
 * after that means entries were blanked out.
 */
final class ChainVerifier {
  /**
   * @param checked entries whose MAC and chain were checked (up to the first bad one)
   * @param firstBad where and why the first bad entry fails, or {@code null} if none does
   * @param lastSeq the sequence number of the last good entry
   */
  record Report(long checked, String firstBad, long lastSeq) {
    boolean ok() {
      return firstBad == null;
    }

    @Override
    public String toString() {
      return checked
          + " entries checked"
          + (firstBad == null
              ? ", chain intact (last entry " + lastSeq + ")"
              : "; first bad: " + firstBad);
    }
  }

  private final ChainMac mac;

  ChainVerifier(ChainMac mac) {
    this.mac = mac;
  }

  /**
   * @param expectedLast the writer's last sequence number when verifying a live trail (a removed
   *     tail is then found too), or -1
   */
  Report verify(List<Path> files, long expectedLast) throws IOException {
    long checked = 0;
    long lastSeq = 0;
    String prev = null;
    for (Path f : files) {
      try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
        long end = TrailReader.contentEnd(ch);
        BufferedReader r =
            new BufferedReader(
                new InputStreamReader(
                    new BoundedStream(Channels.newInputStream(ch.position(0)), end),
                    StandardCharsets.UTF_8));
        String line;
        int lineNo = 0;
        while ((line = r.readLine()) != null) {
          lineNo++;
          String where = f.getFileName() + ":" + lineNo;
          EntryLine e = EntryLine.parse(line);
          String bad = check(e, prev, lastSeq);
          if (bad != null) {
            return new Report(checked, where + " " + bad, lastSeq);
          }
          checked++;
          lastSeq = e.seq();
          prev = e.mac();
        }
        long after = TrailReader.nonZeroAfter(ch, end);
        if (after >= 0) {
          return new Report(
              checked,
              f.getFileName()
                  + ":"
                  + (lineNo + 1)
                  + " zero bytes inside the trail (offset "
                  + end
                  + "): entries were blanked out",
              lastSeq);
        }
      }
    }
    if (expectedLast >= 0 && lastSeq < expectedLast) {
      return new Report(
          checked,
          "end of trail: last entry is "
              + lastSeq
              + " but "
              + expectedLast
              + " were written (entries removed at the end)",
          lastSeq);
    }
    return new Report(checked, null, lastSeq);
  }

  private String check(EntryLine e, String prev, long lastSeq) {
    if (e == null) {
      return "is not an audit entry (edited or truncated)";
    }
    if (!mac.of(e.signed()).equals(e.mac())) {
      return "(entry " + e.seq() + ") MAC does not match: the entry was edited";
    }
    if (prev == null) {
      if (e.seq() == 1 && !ChainMac.GENESIS.equals(e.prev())) {
        return "(entry 1) does not start the chain";
      }
      return null; // the oldest kept entry anchors the chain
    }
    if (e.seq() != lastSeq + 1 || !e.prev().equals(prev)) {
      return "(entry "
          + e.seq()
          + ") does not follow entry "
          + lastSeq
          + ": an entry before it was removed or the entries were reordered";
    }
    return null;
  }

  /** The first {@code limit} bytes of a stream (a file's entries, without its zero tail). */
  private static final class BoundedStream extends FilterInputStream {
    private long left;

    BoundedStream(InputStream in, long limit) {
      super(in);
      this.left = limit;
    }

    @Override
    public int read() throws IOException {
      if (left <= 0) {
        return -1;
      }
      int b = super.read();
      if (b >= 0) {
        left--;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (left <= 0) {
        return -1;
      }
      int n = super.read(b, off, (int) Math.min(len, left));
      if (n > 0) {
        left -= n;
      }
      return n;
    }
  }
}
