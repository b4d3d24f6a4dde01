package org.openkcm.keystore.core.internal.routing;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.openkcm.keystore.api.RouteView;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyMetadata;

/**
 * An immutable snapshot of the routing configuration: the rules in evaluation order (first match
 * wins), the default backend, and the backends kept for lookups only. A change of configuration
 * builds a new table and swaps it in whole, so a request sees either the old rules or the new ones,
 * never a mix.
 *
 * <p>The <em>configured</em> backends are every backend a rule or the default names plus the
 * lookup-only ones: those are the only backends the core ever calls (a service registered under any
 * other name receives nothing).
 */
public final class RoutingTable {
  /** The backend used when no OpenBao is configured, and the out-of-the-box L4 backend. */
  public static final String INMEMORY = "inmemory";

  public static final String OPENBAO = "openbao";

  private final List<RouteRule> rules;
  private final String defaultBackend;
  private final List<String> configured;
  private final boolean openBaoFallback;

  RoutingTable(
      List<RouteRule> rules,
      String defaultBackend,
      List<String> lookupOnly,
      boolean openBaoFallback) {
    this.rules = List.copyOf(rules);
    this.defaultBackend = defaultBackend;
    this.openBaoFallback = openBaoFallback;
    Set<String> names = new LinkedHashSet<>();
    rules.forEach(r -> names.add(r.backend()));
    names.add(defaultBackend);
    names.addAll(lookupOnly);
    this.configured = List.copyOf(names);
  }

  /**
   * Builds a table from its configured text form.
   *
   * @param openBaoConfigured whether OpenBao has an address; when not, every route to {@value
   *     #OPENBAO} goes to {@value #INMEMORY} instead (and {@link #openBaoFallback()} says so)
   * @throws InvalidKeyRequestException naming the first bad field ({@code routing.rules[i]...})
   */
  public static RoutingTable parse(
      String[] rules, String defaultBackend, String[] lookupOnly, boolean openBaoConfigured)
      throws InvalidKeyRequestException {
    List<RouteRule> parsed = new ArrayList<>();
    boolean fallback = false;
    for (int i = 0; rules != null && i < rules.length; i++) {
      RouteRule r = RuleParser.parse("routing.rules[" + i + "]", rules[i]);
      if (!openBaoConfigured && r.backend().equals(OPENBAO)) {
        r = r.withBackend(INMEMORY);
        fallback = true;
      }
      parsed.add(r);
    }
    String def =
        RuleParser.checkBackendName(
            "routing.defaultBackend", defaultBackend == null ? "" : defaultBackend.trim());
    if (!openBaoConfigured && def.equals(OPENBAO)) {
      def = INMEMORY;
      fallback = true;
    }
    List<String> lookups = new ArrayList<>();
    for (int i = 0; lookupOnly != null && i < lookupOnly.length; i++) {
      String name =
          RuleParser.checkBackendName("routing.backends[" + i + "]", lookupOnly[i].trim());
      if (openBaoConfigured || !name.equals(OPENBAO)) {
        lookups.add(name);
      }
    }
    return new RoutingTable(parsed, def, lookups, fallback);
  }

  /**
   * @return the backend a new key with this metadata goes to: the first matching rule's, else the
   *     default
   */
  public String route(KeyMetadata key) {
    for (RouteRule r : rules) {
      if (r.matches(key)) {
        return r.backend();
      }
    }
    return defaultBackend;
  }

  /**
   * @return every backend the core may call, in lookup order (rules, default, lookup-only)
   */
  public List<String> configuredBackends() {
    return configured;
  }

  public boolean isConfigured(String name) {
    return configured.contains(name);
  }

  public String defaultBackend() {
    return defaultBackend;
  }

  /**
   * @return whether routes to OpenBao were redirected to InMemory because OpenBao has no address
   */
  public boolean openBaoFallback() {
    return openBaoFallback;
  }

  /**
   * @return the rules in evaluation order, the default last (condition {@code *})
   */
  public List<RouteView> views() {
    List<RouteView> out = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      out.add(new RouteView(i + 1, rules.get(i).condition(), rules.get(i).backend()));
    }
    out.add(new RouteView(rules.size() + 1, "default", defaultBackend));
    return out;
  }

  @Override
  public String toString() {
    return "RoutingTable"
        + rules
        + " default "
        + defaultBackend
        + " configured "
        + configured
        + (openBaoFallback ? " (OpenBao not configured: its routes go to inmemory)" : "");
  }
}
