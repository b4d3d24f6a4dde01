package org.openkcm.keystore.openbao.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.openkcm.keystore.spi.Keystore;
import org.openkcm.keystore.spi.RootKeyProvider;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * The components publish their name (and ranking) but never their configuration: Declarative
 * Services would otherwise expose the token as a service property. Plain proxies stand in for the
 * framework here; the in-container tests run the real one.
 */
class ServiceRegistrationTest {

  @Test
  void keystoreRegistersItsNameAndRankingButNoSecret() {
    Map<String, Object> config =
        config("token", "s3cr3t-token", "secretId", "s3cr3t-id", "service.ranking", 7);
    Captured captured = new Captured();
    OpenBaoKeystore ks = new OpenBaoKeystore();
    ks.activate(captured.context(), annotation(OpenBaoConfig.class, config), config);

    assertThat(captured.type.get()).isEqualTo(Keystore.class.getName());
    assertThat(captured.properties.get())
        .containsEntry(Keystore.BACKEND_PROPERTY, "openbao")
        .containsEntry("service.ranking", 7)
        .doesNotContainKeys("token", "secretId", "address");
    assertThat(captured.properties.get().values().toString()).doesNotContain("s3cr3t");
    ks.deactivate();
    assertThat(captured.unregistered).isTrue();
  }

  @Test
  void transitProviderRegistersItsNameButNoSecret() {
    Map<String, Object> config = config("token", "s3cr3t-token", "keyName", "openkcm-root");
    Captured captured = new Captured();
    TransitRootKeyProvider p = new TransitRootKeyProvider();
    p.activate(captured.context(), annotation(TransitConfig.class, config), config);

    assertThat(captured.type.get()).isEqualTo(RootKeyProvider.class.getName());
    assertThat(captured.properties.get())
        .containsEntry(RootKeyProvider.PROVIDER_PROPERTY, "openbao-transit")
        .doesNotContainKey("token");
    p.deactivate();
    assertThat(captured.unregistered).isTrue();
  }

  private static Map<String, Object> config(Object... kv) {
    Map<String, Object> m = new HashMap<>();
    m.put("address", "http://127.0.0.1:1");
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  /** An annotation instance answering from the map, else the method's default: what SCR does. */
  private static <A> A annotation(Class<A> type, Map<String, Object> values) {
    return type.cast(
        Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (proxy, method, args) ->
                values.containsKey(method.getName())
                    ? values.get(method.getName())
                    : method.getDefaultValue()));
  }

  /** A BundleContext that records the one registration. */
  private static final class Captured {
    final AtomicReference<String> type = new AtomicReference<>();
    final AtomicReference<Map<String, Object>> properties = new AtomicReference<>();
    final AtomicBoolean unregistered = new AtomicBoolean();

    BundleContext context() {
      ServiceRegistration<?> reg =
          (ServiceRegistration<?>)
              Proxy.newProxyInstance(
                  getClass().getClassLoader(),
                  new Class<?>[] {ServiceRegistration.class},
                  (proxy, method, args) -> {
                    if (method.getName().equals("unregister")) {
                      unregistered.set(true);
                    }
                    return null;
                  });
      return (BundleContext)
          Proxy.newProxyInstance(
              getClass().getClassLoader(),
              new Class<?>[] {BundleContext.class},
              (proxy, method, args) -> {
                if (method.getName().equals("getProperty")) {
                  return BaoEnvironment.IGNORE_ENV_PROPERTY.equals(args[0])
                      ? "true"
                      : null; // hermetic on a host with BAO_*
                }
                if (method.getName().equals("registerService")) {
                  type.set(
                      args[0] instanceof Class
                          ? ((Class<?>) args[0]).getName()
                          : String.valueOf(args[0]));
                  Dictionary<?, ?> d = (Dictionary<?, ?>) args[2];
                  Map<String, Object> copy = new HashMap<>();
                  for (Object k : Collections.list(d.keys())) {
                    copy.put((String) k, d.get(k));
                  }
                  properties.set(copy);
                  return reg;
                }
                throw new UnsupportedOperationException(method.getName());
              });
    }
  }
}
