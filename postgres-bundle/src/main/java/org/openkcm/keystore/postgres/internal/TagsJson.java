package org.openkcm.keystore.postgres.internal;

import java.util.Map;
import java.util.TreeMap;

/**
 * Tags as a flat JSON object of strings, the form of the {@code tags jsonb} column. Tag names and
 * values are printable ASCII by the model's limits, so only {@code "} and {@code \} need escaping;
 * the reader also accepts the {@code \}u escapes PostgreSQL may print. Anything else is refused
 * (the row is then invalid).
 */
final class TagsJson {
  private TagsJson() {}

  static String encode(Map<String, String> tags) {
    StringBuilder b = new StringBuilder("{");
    for (Map.Entry<String, String> e : tags.entrySet()) {
      if (b.length() > 1) {
        b.append(',');
      }
      quote(b, e.getKey()).append(':');
      quote(b, e.getValue());
    }
    return b.append('}').toString();
  }

  private static StringBuilder quote(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\');
      }
      if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"');
  }

  /**
   * @throws IllegalArgumentException if {@code json} is not a flat object of strings
   */
  static Map<String, String> decode(String json) {
    Map<String, String> out = new TreeMap<>();
    if (json == null) {
      return out;
    }
    Reader r = new Reader(json);
    r.expect('{');
    if (r.peek() == '}') {
      r.pos++;
    } else {
      while (true) {
        String k = r.string();
        r.expect(':');
        out.put(k, r.string());
        char c = r.next();
        if (c == '}') {
          break;
        }
        if (c != ',') {
          throw new IllegalArgumentException("tags: expected ',' or '}'");
        }
      }
    }
    if (r.peek() != 0) {
      throw new IllegalArgumentException("tags: trailing characters");
    }
    return out;
  }

  private static final class Reader {
    private final String s;
    private int pos;

    Reader(String s) {
      this.s = s;
    }

    char peek() {
      while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
        pos++;
      }
      return pos < s.length() ? s.charAt(pos) : 0;
    }

    char next() {
      char c = peek();
      if (c == 0) {
        throw new IllegalArgumentException("tags: unexpected end");
      }
      pos++;
      return c;
    }

    void expect(char want) {
      if (next() != want) {
        throw new IllegalArgumentException("tags: expected '" + want + "'");
      }
    }

    String string() {
      expect('"');
      StringBuilder b = new StringBuilder();
      while (pos < s.length()) {
        char c = s.charAt(pos++);
        if (c == '"') {
          return b.toString();
        }
        if (c == '\\') {
          if (pos >= s.length()) {
            break;
          }
          char e = s.charAt(pos++);
          switch (e) {
            case '"', '\\', '/' -> b.append(e);
            case 'u' -> {
              if (pos + 4 > s.length()) {
                throw new IllegalArgumentException("tags: bad escape");
              }
              b.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
              pos += 4;
            }
            default -> throw new IllegalArgumentException("tags: unsupported escape");
          }
        } else {
          b.append(c);
        }
      }
      throw new IllegalArgumentException("tags: unterminated string");
    }
  }
}
