package org.openkcm.keystore.core.internal.support;

import java.lang.reflect.Proxy;
import java.util.Map;

/**
 * Builds a component property type (a config annotation) from its defaults plus overrides, as DS
 * does.
 */
public final class Annotations {
  private Annotations() {}

  public static <A> A of(Class<A> type, Map<String, Object> overrides) {
    Object proxy =
        Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (p, m, args) -> {
              if (overrides.containsKey(m.getName())) {
                return overrides.get(m.getName());
              }
              if (m.getDefaultValue() != null) {
                return m.getDefaultValue();
              }
              return switch (m.getName()) {
                case "hashCode" -> System.identityHashCode(p);
                case "equals" -> p == args[0];
                case "toString" -> type.getSimpleName() + overrides;
                default -> throw new IllegalStateException(m.getName());
              };
            });
    return type.cast(proxy);
  }
}
