package org.openkcm.keystore.core.internal.routing;

import java.util.regex.Pattern;

/**
 * A shell-style pattern: {@code *} matches any run of characters, {@code ?} one character,
 * everything else itself. Used for owner ids ({@code eu-*}) and tag values ({@code eu*}).
 */
final class Glob {
  private final String text;
  private final Pattern pattern;

  private Glob(String text) {
    this.text = text;
    StringBuilder regex = new StringBuilder();
    for (char c : text.toCharArray()) {
      switch (c) {
        case '*' -> regex.append(".*");
        case '?' -> regex.append('.');
        default -> regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    this.pattern = Pattern.compile(regex.toString());
  }

  static Glob of(String text) {
    return new Glob(text);
  }

  boolean matches(String value) {
    return value != null && pattern.matcher(value).matches();
  }

  boolean matchesEverything() {
    return "*".equals(text);
  }

  @Override
  public String toString() {
    return text;
  }
}
