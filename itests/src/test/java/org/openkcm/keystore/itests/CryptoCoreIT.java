package org.openkcm.keystore.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Hashtable;
import java.util.UUID;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.openkcm.keystore.api.CreateKeyRequest;
import org.openkcm.keystore.api.KeyHandle;
import org.openkcm.keystore.api.KeyService;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyStatus;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.spi.RootKeyProvider;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The crypto core as SCR wires it: KeyService over the plugin manager and the InMemory backend, the
 * local root key selected by configuration (its master key file created owner-only where
 * ConfigAdmin says).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class CryptoCoreIT extends KeystoreTestSupport {

  @Configuration
  public Option[] config() {
    return new Option[] {baseOptions()};
  }

  @Test
  public void createsOpensEncryptsAndRotatesThroughTheRealComponents() throws Exception {
    File keyFile =
        new File(
            System.getProperty("java.io.tmpdir"),
            "openkcm-it-" + UUID.randomUUID() + "/master.key");
    ServiceReference<ConfigurationAdmin> cmRef =
        context.getServiceReference(ConfigurationAdmin.class);
    ConfigurationAdmin cm = context.getService(cmRef);
    Hashtable<String, Object> props = new Hashtable<>();
    props.put("provider", "local");
    props.put("masterKeyFile", keyFile.getAbsolutePath());
    cm.getConfiguration("org.openkcm.keystore.rootkey", "?").update(props);
    String filter =
        "(&("
            + RootKeyProvider.PROVIDER_PROPERTY
            + "=local)(masterKeyFile="
            + keyFile.getAbsolutePath()
            + "))";
    await(
        "local root key provider configured",
        () -> !services(RootKeyProvider.class, filter).isEmpty());
    await("KeyService registered", () -> !services(KeyService.class, null).isEmpty());

    ServiceReference<KeyService> ref = services(KeyService.class, null).get(0);
    KeyService keys = context.getService(ref);
    try {
      // The provider's registration is visible before SCR has bound it into the core: wait until
      // the
      // core itself reports the configured root key as usable.
      await("root key bound into the core", () -> rootKeyUsable(keys));
      KeyMetadata l2 =
          keys.create(CreateKeyRequest.builder(KeyTier.L2, Owner.tenant("acme")).build());
      KeyMetadata l3 =
          keys.create(
              CreateKeyRequest.builder(KeyTier.L3, Owner.service("billing"))
                  .parentId(l2.id())
                  .build());
      KeyMetadata l4 =
          keys.create(
              CreateKeyRequest.builder(KeyTier.L4, Owner.service("billing"))
                  .parentId(l3.id())
                  .build());
      assertEquals(
          "rw-------",
          PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile.toPath())));

      byte[] plain = "in-container".getBytes(StandardCharsets.UTF_8);
      byte[] sealed = keys.encrypt(l4.id(), plain, null);
      assertArrayEquals(plain, keys.decrypt(l4.id(), sealed, null));

      byte[] before = keys.encrypt(l3.id(), plain, null);
      KeyMetadata v2 = keys.rotate(l3.id());
      assertEquals(2, v2.version());
      assertEquals(KeyStatus.DEPRECATED, keys.metadata(l3.ref()).status());
      assertArrayEquals(plain, keys.decrypt(l3.id(), before, null));
      try (KeyHandle h = keys.open(l4.ref())) {
        assertEquals(l4.ref(), h.metadata().ref());
      }
      assertFalse(keys.cacheStatistics().layers().isEmpty());
    } finally {
      context.ungetService(ref);
      context.ungetService(cmRef);
      Files.deleteIfExists(keyFile.toPath());
      Files.deleteIfExists(
          keyFile.toPath().resolveSibling("master.key.id")); // the key id recorded beside it
      Files.deleteIfExists(keyFile.getParentFile().toPath());
    }
  }

  /**
   * A throwaway L2 create: false while the core answers that the root key provider is not bound
   * yet.
   */
  private static boolean rootKeyUsable(KeyService keys) {
    try {
      keys.create(CreateKeyRequest.builder(KeyTier.L2, Owner.tenant("probe")).build());
      return true;
    } catch (BackendUnavailableException e) {
      return false;
    } catch (KeystoreException e) {
      throw new AssertionError("unexpected answer while waiting for the root key", e);
    }
  }
}
