package org.openkcm.keystore.itests.openbao;

import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.Before;
import org.openkcm.keystore.api.BackendStatus;
import org.openkcm.keystore.api.KeyService;
import org.openkcm.keystore.itests.core.CoreTestSupport;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.spi.BackendState;
import org.openkcm.keystore.spi.Keystore;
import org.ops4j.pax.exam.Option;
import org.osgi.service.cm.Configuration;

/**
 * The runtime (Felix + SCR + ConfigAdmin + MetaType + Gogo runtime + our bundles incl.
 * openbao-bundle) against the real bao that {@link BaoFixture} started on the driver side. The
 * OpenBao backend is configured through ConfigAdmin (PID org.openkcm.keystore.openbao), health is
 * checked every second, the root key file lives in a temp directory, and the key cache is off so
 * every open reaches the backends.
 */
public abstract class OpenBaoTestSupport extends CoreTestSupport {

  /**
   * Driver side: start bao (a failure here fails the class, never skips it), then the framework
   * options.
   */
  protected static Option[] openBaoOptions() {
    BaoFixture.start();
    List<Option> o =
        new ArrayList<>(List.of(bundleFromProperty("gson"), bundleFromProperty("openbao")));
    // native container: same JVM, but pass them as options so a forked container would work too
    for (String p :
        new String[] {
          BaoFixture.ADDRESS,
          BaoFixture.TOKEN,
          BaoFixture.UNSEAL_KEY,
          BaoFixture.BINARY,
          BaoFixture.HOME,
          BaoFixture.PREFIX
        }) {
      o.add(systemProperty(p).value(System.getProperty(p)));
    }
    return coreOptions(o.toArray(new Option[0]));
  }

  @Before
  public void configureOpenBao() throws Exception {
    Path home = Path.of(BaoCli.required(BaoFixture.HOME));
    configureOnce(
        "org.openkcm.keystore.rootkey",
        Map.of("masterKeyFile", home.resolve("master.key").toString()));
    Map<String, Object> cache = new HashMap<>();
    for (String tier : new String[] {"l2", "l3", "l4"}) {
      cache.put(tier + ".maxEntries", 0);
    }
    configureOnce("org.openkcm.keystore.cache", cache);
    if (configAdmin().getConfiguration("org.openkcm.keystore.plugins", "?").getProperties()
        == null) {
      // and wait until the plugin manager runs with them: the seal test relies on the 1 s checks
      configurePlugins(Map.of("healthInterval", "1s", "unhealthyInterval", "500ms"));
    }
    configureOnce(
        "org.openkcm.keystore.openbao",
        Map.of(
            "address",
            BaoCli.address(),
            "token",
            BaoCli.token(),
            "mount",
            "secret",
            "prefix",
            prefix(),
            "connectTimeout",
            "1s",
            "readTimeout",
            "3s"));
    await(
        "openbao UP and routed",
        () -> {
          try {
            return "openbao".equals(routeOf(key("probe", KeyTier.L2, "tenant:probe")))
                && state("openbao") == BackendState.UP;
          } catch (Exception e) {
            return false;
          }
        });
  }

  /**
   * Sets a PID's properties once per framework (the container lives for the class): an update with
   * the same values would still restart the components.
   */
  private void configureOnce(String pid, Map<String, Object> props) throws Exception {
    Configuration c = configAdmin().getConfiguration(pid, "?");
    if (c.getProperties() == null) {
      configure(pid, props);
    }
  }

  protected static String prefix() {
    return BaoCli.required(BaoFixture.PREFIX);
  }

  protected KeyService keyService() throws InterruptedException {
    await("KeyService", () -> !services(KeyService.class, null).isEmpty());
    return context.getService(services(KeyService.class, null).get(0));
  }

  protected Keystore backend(String name) throws InterruptedException {
    String filter = "(" + Keystore.BACKEND_PROPERTY + "=" + name + ")";
    await("Keystore " + name, () -> !services(Keystore.class, filter).isEmpty());
    return context.getService(services(Keystore.class, filter).get(0));
  }

  /**
   * @return the backend's state as KeystoreAdmin shows it now (no on-demand check)
   */
  protected BackendState state(String backend) {
    try {
      for (BackendStatus s : admin().backends()) {
        if (s.name().equals(backend)) {
          return s.state();
        }
      }
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /**
   * @return what {@code bao kv get -format=json} prints for the key's record (the backend's path
   *     layout)
   */
  protected static BaoCli.Result kvGet(KeyRef ref) {
    return BaoCli.ok(
        "kv",
        "get",
        "-format=json",
        "-mount=secret",
        prefix() + "/keys/" + ref.id() + "," + String.format(Locale.ROOT, "%010d", ref.version()));
  }

  /**
   * @return whether OpenBao holds the key's record, asked with the real {@code bao kv get}
   */
  protected static boolean inOpenBao(KeyRef ref) {
    return BaoCli.run(
                "kv",
                "get",
                "-format=json",
                "-mount=secret",
                prefix()
                    + "/keys/"
                    + ref.id()
                    + ","
                    + String.format(Locale.ROOT, "%010d", ref.version()))
            .exitCode()
        == 0;
  }

  protected static KeyMetadata meta(KeyService s, KeyTier tier, Owner owner, String parent)
      throws Exception {
    var b = org.openkcm.keystore.api.CreateKeyRequest.builder(tier, owner);
    if (parent != null) {
      b.parentId(parent);
    }
    return s.create(b.build());
  }
}
