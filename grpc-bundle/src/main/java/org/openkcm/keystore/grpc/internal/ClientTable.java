package org.openkcm.keystore.grpc.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.openkcm.keystore.model.InvalidConfigurationException;
import org.openkcm.keystore.model.Limits;

/**
 * The authorization table: client identity -> {@link ClientGrant}. Parsed all or nothing, so a bad
 * entry leaves the previous table in force. One entry: {@code identity=spiffe://acme/billing;
 * owners=tenant:acme,service:acme-*; ops=KeyService/*}.
 */
final class ClientTable {
  static final ClientTable EMPTY = new ClientTable(Map.of());

  private final Map<String, ClientGrant> byIdentity;

  private ClientTable(Map<String, ClientGrant> byIdentity) {
    this.byIdentity = byIdentity;
  }

  static ClientTable parse(String[] entries) throws InvalidConfigurationException {
    Map<String, ClientGrant> out = new LinkedHashMap<>();
    for (int i = 0; i < entries.length; i++) {
      ClientGrant g = entry("grpc.clients[" + i + "]", entries[i]);
      if (out.put(g.identity(), g) != null) {
        throw new InvalidConfigurationException(
            "grpc.clients[" + i + "]",
            "identity '" + Limits.printable(g.identity()) + "' is listed twice");
      }
    }
    return new ClientTable(Map.copyOf(out));
  }

  /**
   * @return the grant of the first candidate identity (SAN URIs, SAN DNS names, then subject) the
   *     table names
   */
  Optional<ClientGrant> grantFor(List<String> candidates) {
    for (String c : candidates) {
      ClientGrant g = byIdentity.get(c);
      if (g != null) {
        return Optional.of(g);
      }
    }
    return Optional.empty();
  }

  int size() {
    return byIdentity.size();
  }

  private static ClientGrant entry(String where, String text) throws InvalidConfigurationException {
    String identity = null;
    List<Glob> owners = null;
    List<Glob> ops = null;
    for (String part : text.split(";")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      int eq = p.indexOf('=');
      if (eq < 0) {
        throw new InvalidConfigurationException(
            where, "expected identity=...; owners=...; ops=..., got '" + Limits.printable(p) + "'");
      }
      String key = p.substring(0, eq).trim();
      String value = p.substring(eq + 1).trim();
      switch (key) {
        case "identity" -> identity = value;
        case "owners" -> owners = globs(where + ".owners", value);
        case "ops" -> ops = globs(where + ".ops", value);
        default ->
            throw new InvalidConfigurationException(
                where, "unknown part '" + Limits.printable(key) + "' (identity, owners, ops)");
      }
    }
    if (identity == null || identity.isEmpty() || owners == null || ops == null) {
      throw new InvalidConfigurationException(where, "needs identity=, owners= and ops=");
    }
    return new ClientGrant(identity, owners, ops);
  }

  private static List<Glob> globs(String where, String csv) throws InvalidConfigurationException {
    List<Glob> out = new ArrayList<>();
    for (String g : csv.split(",")) {
      String t = g.trim();
      if (t.isEmpty() || !t.matches("[\\x21-\\x7E]{1,256}")) {
        throw new InvalidConfigurationException(
            where, "'" + Limits.printable(t) + "' is not a pattern");
      }
      out.add(new Glob(t));
    }
    return List.copyOf(out);
  }
}
