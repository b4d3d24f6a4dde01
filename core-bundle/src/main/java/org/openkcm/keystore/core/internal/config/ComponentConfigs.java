package org.openkcm.keystore.core.internal.config;

import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;

/**
 * A component property type (the annotation DS hands to {@code @Activate}) built from a property
 * map the way DS builds it: {@code l2_maxEntries()} reads {@code l2.maxEntries}, a missing property
 * gives the declared default, values are converted to the method's type. Lets the bridge run a
 * component's own validation on a configuration before it is applied.
 */
public final class ComponentConfigs {

  private ComponentConfigs() {}

  /**
   * @return the annotation DS would build from {@code properties} (defaults where absent)
   */
  public static <A> A of(Class<A> type, Map<String, Object> properties) {
    return type.cast(
        Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (proxy, m, args) -> {
              if (m.getDeclaringClass() == Object.class) {
                return switch (m.getName()) {
                  case "toString" -> type.getSimpleName() + properties.keySet();
                  case "hashCode" -> System.identityHashCode(proxy);
                  default -> proxy == args[0];
                };
              }
              Object value = properties.get(name(m));
              return value == null ? m.getDefaultValue() : convert(value, m.getReturnType(), m);
            }));
  }

  /** DS 1.4 name mapping: {@code __} is {@code _}, a single {@code _} is {@code .}. */
  static String name(Method m) {
    return m.getName().replace("__", "\u0000").replace('_', '.').replace('\u0000', '_');
  }

  private static Object convert(Object value, Class<?> to, Method m) {
    if (to.isArray()) {
      List<?> items = value.getClass().isArray() ? arrayToList(value) : List.of(value);
      Object out = Array.newInstance(to.getComponentType(), items.size());
      for (int i = 0; i < items.size(); i++) {
        Array.set(out, i, convert(items.get(i), to.getComponentType(), m));
      }
      return out;
    }
    Object v =
        value.getClass().isArray()
            ? (Array.getLength(value) == 0 ? m.getDefaultValue() : Array.get(value, 0))
            : value;
    String s = String.valueOf(v).trim();
    try {
      if (to == String.class) {
        return String.valueOf(v);
      } else if (to == int.class || to == Integer.class) {
        return v instanceof Number n ? n.intValue() : Integer.parseInt(s);
      } else if (to == long.class || to == Long.class) {
        return v instanceof Number n ? n.longValue() : Long.parseLong(s);
      } else if (to == boolean.class || to == Boolean.class) {
        return v instanceof Boolean b ? b : Boolean.parseBoolean(s);
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          name(m) + ": '" + org.openkcm.keystore.model.Limits.printable(s) + "' is not a number");
    }
    return v;
  }

  private static List<?> arrayToList(Object array) {
    Object[] out = new Object[Array.getLength(array)];
    for (int i = 0; i < out.length; i++) {
      out[i] = Array.get(array, i);
    }
    return List.of(out);
  }
}
