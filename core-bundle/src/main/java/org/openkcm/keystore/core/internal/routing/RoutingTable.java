package org.openkcm.keystore.core.internal.routing;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.openkcm.keystore.api.RouteView;
import org.openkcm.keystore.model.InvalidConfigurationException;
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
  private final List<RouteRule> rules;
  private final String defaultBackend;
  private final List<String> configured;
  private final Set<String> redirected;
  private final String fallbackTarget;

  RoutingTable(
      List<RouteRule> rules,
      String defaultBackend,
      List<String> lookupOnly,
      Set<String> redirected,
      String fallbackTarget) {
    this.rules = List.copyOf(rules);
    this.defaultBackend = defaultBackend;
    this.redirected = Set.copyOf(redirected);
    this.fallbackTarget = fallbackTarget;
    Set<String> names = new LinkedHashSet<>();
    rules.forEach(r -> names.add(r.backend()));
    names.add(defaultBackend);
    names.addAll(lookupOnly);
    this.configured = List.copyOf(names);
  }

  /** Builds a table from its configured text form, every backend configured. */
  public static RoutingTable parse(String[] rules, String defaultBackend, String[] lookupOnly)
      throws InvalidConfigurationException {
    return parse(rules, defaultBackend, lookupOnly, Fallback.NONE);
  }

  /**
   * Builds a table from its configured text form.
   *
   * @param fallback the backends that are not configured, whose routes go to its target instead
   *     (and {@link #redirected()} names them)
   * @throws InvalidConfigurationException naming the first bad field ({@code routing.rules[i]...})
   */
  public static RoutingTable parse(
      String[] rules, String defaultBackend, String[] lookupOnly, Fallback fallback)
      throws InvalidConfigurationException {
    List<RouteRule> parsed = new ArrayList<>();
    Set<String> redirected = new LinkedHashSet<>();
    for (int i = 0; rules != null && i < rules.length; i++) {
      RouteRule r = RuleParser.parse("routing.rules[" + i + "]", rules[i]);
      if (fallback.redirects(r.backend())) {
        redirected.add(r.backend());
        r = r.withBackend(fallback.target());
      }
      parsed.add(r);
    }
    String def =
        RuleParser.checkBackendName(
            "routing.defaultBackend", defaultBackend == null ? "" : defaultBackend.trim());
    if (fallback.redirects(def)) {
      redirected.add(def);
      def = fallback.target();
    }
    List<String> lookups = new ArrayList<>();
    for (int i = 0; lookupOnly != null && i < lookupOnly.length; i++) {
      String name =
          RuleParser.checkBackendName("routing.backends[" + i + "]", lookupOnly[i].trim());
      if (!fallback.redirects(name)) {
        lookups.add(name);
      }
    }
    return new RoutingTable(parsed, def, lookups, redirected, fallback.target());
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
   * @return the backends whose routes went to the fallback backend because they are not configured
   */
  public Set<String> redirected() {
    return redirected;
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
        + (redirected.isEmpty()
            ? ""
            : " (not configured: "
                + String.join(", ", redirected)
                + "; their routes go to "
                + fallbackTarget
                + ")");
  }
}
