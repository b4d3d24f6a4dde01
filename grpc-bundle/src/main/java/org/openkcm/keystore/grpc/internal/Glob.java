package org.openkcm.keystore.grpc.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A {@code *}-wildcard pattern, e.g. {@code service:acme-*} or {@code KeyService/*}; everything
 * else is literal.
 */
final class Glob {
  private final String text;
  private final Pattern pattern;

  Glob(String text) {
    this.text = text;
    List<String> quoted = new ArrayList<>();
    for (String part : text.split("\\*", -1)) {
      quoted.add(part.isEmpty() ? "" : Pattern.quote(part));
    }
    this.pattern = Pattern.compile(String.join(".*", quoted));
  }

  boolean matches(String value) {
    return pattern.matcher(value).matches();
  }

  @Override
  public String toString() {
    return text;
  }
}
