package org.openkcm.keystore.itests.core;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import org.openkcm.keystore.model.KeyFilter;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Page;
import org.openkcm.keystore.spi.Keystore;

/**
 * The core's internal BackendDirectory service, reached by reflection because its package is
 * private to the core bundle (what the crypto core uses: route a new key, look up existing ones,
 * list).
 */
public final class Directory {
  public static final String SERVICE =
      "org.openkcm.keystore.core.internal.backend.BackendDirectory";
  private final Object target;

  public Directory(Object target) {
    this.target = target;
  }

  public Keystore route(KeyMetadata m) throws KeystoreException {
    return (Keystore) call("route", new Class<?>[] {KeyMetadata.class}, m);
  }

  @SuppressWarnings("unchecked")
  public List<Keystore> configured() throws KeystoreException {
    return (List<Keystore>) call("configured", new Class<?>[0]);
  }

  @SuppressWarnings("unchecked")
  public Page<KeyMetadata> list(KeyFilter f) throws KeystoreException {
    return (Page<KeyMetadata>) call("list", new Class<?>[] {KeyFilter.class}, f);
  }

  private Object call(String name, Class<?>[] types, Object... args) throws KeystoreException {
    try {
      Method m = target.getClass().getMethod(name, types);
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof KeystoreException k) {
        throw k;
      }
      throw new IllegalStateException(e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }
}
