package org.openkcm.keystore.core.internal.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openkcm.keystore.api.CreateKeyRequest;
import org.openkcm.keystore.audit.AuditKeys;
import org.openkcm.keystore.core.internal.cache.CacheSettings;
import org.openkcm.keystore.core.internal.cache.KeyCache;
import org.openkcm.keystore.core.internal.crypto.LocalRootKeyProvider;
import org.openkcm.keystore.core.internal.crypto.StateAuthenticator;
import org.openkcm.keystore.inmemory.internal.InMemoryKeystore;
import org.openkcm.keystore.model.BackendUnavailableException;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.Owner;

/**
 * The audit trail's key comes through the core's master-key guard: on a fresh installation the
 * trail's first entry (before any key exists) creates the master key; a missing key is never
 * replaced while records exist; only audit labels are derived.
 */
class AuditKeyServiceTest {
  private static final String LABEL = AuditKeys.LABEL_PREFIX + "-chain-v1";

  @TempDir Path dir;

  private CryptoKeyService core(InMemoryKeystore memory) {
    LocalRootKeyProvider root =
        new LocalRootKeyProvider(dir.resolve("master.key"), n -> null, false);
    return new CryptoKeyService(
        new TestDirectory(memory), root, new KeyCache(CacheSettings.defaults()));
  }

  @Test
  void theFirstAuditKeyOnAFreshInstallationCreatesTheMasterKey() throws Exception {
    CryptoKeyService core = core(new InMemoryKeystore("inmemory", 100));
    AuditKeyService keys = new AuditKeyService(core);
    assertThat(dir.resolve("master.key")).doesNotExist();

    byte[] first = keys.derive(LABEL);

    assertThat(dir.resolve("master.key")).exists();
    assertThat(first).hasSize(32);
    assertThat(keys.derive(LABEL)).as("stable for the label").isEqualTo(first);
    assertThat(keys.derive(LABEL + "-other")).isNotEqualTo(first);
  }

  @Test
  void aMissingMasterKeyIsNotReplacedWhileABackendHoldsRecords() throws Exception {
    InMemoryKeystore memory = new InMemoryKeystore("inmemory", 100);
    core(memory).create(CreateKeyRequest.builder(KeyTier.L2, Owner.tenant("acme")).build());
    Files.delete(dir.resolve("master.key"));
    AuditKeyService keys = new AuditKeyService(core(memory));

    assertThatThrownBy(() -> keys.derive(LABEL))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("master.key");
    assertThat(dir.resolve("master.key")).doesNotExist();
  }

  @Test
  void onlyAuditLabelsAreDerived() {
    AuditKeyService keys = new AuditKeyService(core(new InMemoryKeystore("inmemory", 100)));

    assertThatThrownBy(() -> keys.derive(StateAuthenticator.LABEL))
        .isInstanceOf(InvalidKeyRequestException.class);
    assertThatThrownBy(() -> keys.derive(null)).isInstanceOf(InvalidKeyRequestException.class);
    assertThat(dir.resolve("master.key")).as("nothing created for a refused label").doesNotExist();
  }
}
